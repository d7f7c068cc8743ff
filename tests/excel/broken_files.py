"""Broken and hostile files for the member import, made at test time (nothing binary is
committed): files of another kind named .xlsx, an Excel 97-2003 file, a password-protected
workbook, zip archives that are no workbook, damaged and truncated archives, zip bombs,
sheets with a million rows, formulas, wrong headers, mixed encodings and 10,000 bad rows.

The archives are written here byte by byte (:func:`zip_archive`) rather than with
:mod:`zipfile`, so a bomb of hundreds of megabytes costs one compressed block repeated, not
the time to deflate it: a deflate stream cut with a full flush may be repeated as often as
one likes. The OLE (compound file) containers of ``.xls`` and encrypted workbooks are
written by :func:`compound_file` (a minimal but valid CFB, version 3).

``bench/excel_broken.py`` measures the import's memory on the same files.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Iterable
from datetime import date
from xml.sax.saxutils import escape

from core.excel.columns import MEMBER_COLUMNS

HEADERS = [c.header for c in MEMBER_COLUMNS]
MiB = 1024 * 1024
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_EPOCH = date(1899, 12, 30)

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="党员信息" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font>'
    '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
    'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
    '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
    'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" '
    'fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
    'xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'
)
SHEET_START = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
)


# -- zip archives, written by hand -------------------------------------------------------------


class Member:
    """One archive member: ``data`` (bytes), or ``repeat`` copies of ``block`` between
    ``head`` and ``tail`` (a bomb: deflated once, written ``repeat`` times)."""

    def __init__(
        self,
        name: str,
        data: bytes = b"",
        *,
        head: bytes = b"",
        block: bytes = b"",
        repeat: int = 0,
        tail: bytes = b"",
    ):
        self.name = name
        if repeat:
            self.compressed, self.crc, self.size = _repeated(head, block, repeat, tail)
        else:
            deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
            self.compressed = deflate.compress(data) + deflate.flush()
            self.crc, self.size = zlib.crc32(data), len(data)


def _repeated(head: bytes, block: bytes, repeat: int, tail: bytes) -> tuple[bytes, int, int]:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    one = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)  # no history: repeatable
    end = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(repeat):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return start + one * repeat + end, crc, len(head) + len(block) * repeat + len(tail)


def zip_archive(members: Iterable[Member]) -> bytes:
    """A zip archive of deflated members (local headers, central directory, end record)."""
    body, directory = bytearray(), bytearray()
    count = 0
    for m in members:
        name = m.name.encode("utf-8")
        offset = len(body)
        body += (
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0x0800,
                8,
                0,
                0x21,
                m.crc,
                len(m.compressed),
                m.size,
                len(name),
                0,
            )
            + name
            + m.compressed
        )
        directory += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0x0800,
                8,
                0,
                0x21,
                m.crc,
                len(m.compressed),
                m.size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        count += 1
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)
    return bytes(body + directory + end)


def workbook_members(
    sheet: Member | bytes,
    shared: Member | bytes | None = None,
    *,
    workbook_rels: str = WORKBOOK_RELS,
) -> list[Member]:
    sheet = sheet if isinstance(sheet, Member) else Member("xl/worksheets/sheet1.xml", sheet)
    if shared is None:
        shared = f'<sst xmlns="{MAIN_NS}" count="0" uniqueCount="0"></sst>'.encode()
    shared = shared if isinstance(shared, Member) else Member("xl/sharedStrings.xml", shared)
    return [
        Member("[Content_Types].xml", CONTENT_TYPES.encode()),
        Member("_rels/.rels", ROOT_RELS.encode()),
        Member("xl/workbook.xml", WORKBOOK.encode()),
        Member("xl/_rels/workbook.xml.rels", workbook_rels.encode()),
        Member("xl/styles.xml", STYLES.encode()),
        sheet,
        shared,
    ]


# -- sheets, written as XML ------------------------------------------------------------------


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell_xml(ref: str, value, *, shared: dict[str, int] | None = None) -> str:
    """One cell: a number, a date (style 1), ``("f", formula, cached)``, ``("e", "#N/A")``,
    ``("raw", xml)``, or text — inline, or through ``shared`` (text → index) when given."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        kind = value[0]
        if kind == "f":
            _, formula, cached = value
            if cached is None:
                return f'<c r="{ref}"><f>{escape(formula)}</f></c>'
            if isinstance(cached, str):
                return f'<c r="{ref}" t="str"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'
            return f'<c r="{ref}"><f>{escape(formula)}</f><v>{cached}</v></c>'
        if kind == "e":
            return f'<c r="{ref}" t="e"><v>{escape(value[1])}</v></c>'
        if kind == "raw":
            return value[1].replace("{ref}", ref)
        raise ValueError(kind)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = escape(str(value))
    if shared is not None:
        index = shared.setdefault(str(value), len(shared))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_xml(
    rows: list[dict],
    headers: list[str] | None = None,
    *,
    shared: dict | None = None,
    dimension: str | None = None,
    above: list[list] | None = None,
) -> bytes:
    """A worksheet of ``headers`` and ``rows`` (dicts by header)."""
    headers = headers or HEADERS
    lines = [list(line) for line in above or []] + [list(headers)]
    lines += [[row.get(h) for h in headers] for row in rows]
    out = [SHEET_START]
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for number, values in enumerate(lines, start=1):
        cells = "".join(
            cell_xml(f"{_column(i)}{number}", v, shared=shared) for i, v in enumerate(values)
        )
        out.append(f'<row r="{number}">{cells}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out).encode("utf-8")


def shared_strings_xml(shared: dict[str, int]) -> bytes:
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared)
    return f'<sst xmlns="{MAIN_NS}" count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>'.encode()


def xlsx(
    rows: list[dict],
    headers: list[str] | None = None,
    *,
    inline: bool = False,
    dimension: str | None = None,
    above: list[list] | None = None,
) -> bytes:
    """A workbook with shared strings (as Excel and WPS save) or inline strings."""
    shared = None if inline else {}
    sheet = sheet_xml(rows, headers, shared=shared, dimension=dimension, above=above)
    return zip_archive(workbook_members(sheet, shared_strings_xml(shared) if shared else None))


# -- files that are not workbooks ------------------------------------------------------------


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">L", len(data)) + kind + data + struct.pack(">L", zlib.crc32(kind + data))
        )

    header = struct.pack(">2L5B", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


def csv_text() -> bytes:
    return "\ufeff姓名,公民身份号码,民族\n张三,110101199003074514,汉族\n".encode()


def plain_text() -> bytes:
    return "党员名单\n张三 李四 王五\n".encode("gbk")


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file (CFB v3, 512-byte sectors) holding ``streams`` in its root storage.

    Streams are padded to 4,096 bytes at least, so all live in regular sectors (a smaller
    one would belong in the mini stream, which this writer does not make)."""
    sector = 512
    free, end_chain, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    names = list(streams)
    data = [streams[n] + b"\0" * max(4096 - len(streams[n]), 0) for n in names]
    entries = 1 + len(names)
    dir_sectors = -(-entries * 128 // sector)
    fat = [fat_sector] + [0] * dir_sectors
    for i in range(dir_sectors):  # the directory's chain: sectors 1 .. dir_sectors
        fat[1 + i] = 2 + i if i + 1 < dir_sectors else end_chain
    starts = []
    for blob in data:
        count = -(-len(blob) // sector)
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [end_chain]
    if len(fat) > sector // 4:
        raise ValueError("compound_file: streams too large for one FAT sector")
    fat += [free] * (sector // 4 - len(fat))

    def entry(
        name: str,
        kind: int,
        start: int,
        size: int,
        left=no_stream,
        right=no_stream,
        child=no_stream,
    ) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3L", len(encoded), kind, 1, left, right, child)
            + b"\0" * 16
            + struct.pack("<L2Q", 0, 0, 0)
            + struct.pack("<LQ", start, size)
        )

    # Siblings as a chain to the right, in the order the format compares names (length first).
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    directory = [entry("Root Entry", 5, end_chain, 0, child=1 + order[0])]
    for position, i in enumerate(order):
        right = 1 + order[position + 1] if position + 1 < len(order) else no_stream
        directory.append((i, entry(names[i], 2, starts[i], len(streams[names[i]]), right=right)))
    body = [directory[0]] + [e for _, e in sorted(directory[1:])]
    directory_bytes = b"".join(body).ljust(dir_sectors * sector, b"\0")
    header = struct.pack(
        "<8s16s5H6s9L",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        1,
        1,
        0,
        4096,
        end_chain,
        0,
        end_chain,
        0,
    )
    header += struct.pack("<109L", 0, *([free] * 108))
    return (
        header
        + struct.pack(f"<{sector // 4}L", *fat)
        + directory_bytes
        + b"".join(blob.ljust(-(-len(blob) // sector) * sector, b"\0") for blob in data)
    )


def old_xls() -> bytes:
    """An Excel 97-2003 workbook's container: a ``Workbook`` stream starting with a BIFF8 BOF."""
    bof = struct.pack("<2H4H2L", 0x0809, 16, 0x0600, 0x0005, 0x2775, 0x07CD, 0, 0)
    return compound_file({"Workbook": bof + struct.pack("<2H", 0x000A, 0)})


def encrypted_xlsx() -> bytes:
    """A password-protected workbook as Excel writes one: an OLE container with an
    ``EncryptionInfo`` (agile, version 4.4) and the encrypted package."""
    info = struct.pack("<2HL", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>"
    )
    package = struct.pack("<Q", 8192) + bytes(range(256)) * 32
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


def zip_of(files: dict[str, bytes]) -> bytes:
    return zip_archive(Member(name, data) for name, data in files.items())


def zip_not_workbook() -> bytes:
    return zip_of({"readme.txt": "这不是工作簿".encode(), "photo.png": png()})


def docx() -> bytes:
    types = CONTENT_TYPES.replace(
        "spreadsheetml.sheet.main+xml", "wordprocessingml.document.main+xml"
    ).replace("/xl/workbook.xml", "/word/document.xml")
    return zip_of({"[Content_Types].xml": types.encode(), "word/document.xml": b"<w:document/>"})


def ods() -> bytes:
    return zip_of(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>",
        }
    )


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    """An upload cut off part-way (the central directory is lost)."""
    return data[: int(len(data) * keep)]


def damaged_sheet(rows: list[dict]) -> bytes:
    """A whole archive whose sheet's compressed bytes were changed in transit (bad CRC or
    bad deflate data)."""
    members = workbook_members(sheet_xml(rows))
    sheet = members[5]
    middle = len(sheet.compressed) // 2
    sheet.compressed = (
        sheet.compressed[:middle]
        + bytes(b ^ 0x5A for b in sheet.compressed[middle : middle + 64])
        + sheet.compressed[middle + 64 :]
    )
    return zip_archive(members)


def malformed_sheet(rows: list[dict], bad_after: int) -> bytes:
    """A sheet whose XML breaks after data row ``bad_after`` (a tag left open): a valid
    archive, so only reading the sheet finds it. It declares its size, as Excel does (without
    one openpyxl reads the whole sheet to find it, and the file fails to open at all)."""
    xml = sheet_xml(rows, dimension=f"A1:Z{len(rows) + 1}").decode()
    marker = f'<row r="{bad_after + 2}">'
    xml = xml.replace(marker, marker + "<c><v>1</c>", 1)
    return zip_archive(workbook_members(xml.encode()))


def nul_in_sheet(rows: list[dict], row: int) -> bytes:
    """A literal NUL character in a cell's XML (no XML parser accepts it), in sheet row
    ``row`` (1: the header row); the sheet declares its size, as Excel does."""
    xml = sheet_xml(rows, dimension=f"A1:Z{len(rows) + 1}")
    start = xml.index(f'<row r="{row}">'.encode())
    at = xml.index(b"</t>", start)
    return zip_archive(workbook_members(xml[:at] + b"\x00" + xml[at:]))


# -- bombs -----------------------------------------------------------------------------------


def _header_row() -> str:
    return (
        '<row r="1">'
        + "".join(cell_xml(f"{_column(i)}1", h) for i, h in enumerate(HEADERS))
        + "</row>"
    )


@functools.cache
def sheet_bomb(megabytes: int = 300) -> bytes:
    """A sheet that unpacks to ``megabytes`` MB from a few hundred KB: one row repeated."""
    block = ('<row><c t="inlineStr"><is><t>炸弹炸弹炸弹炸弹</t></is></c></row>' * 2048).encode()
    repeat = megabytes * MiB // len(block)
    sheet = Member(
        "xl/worksheets/sheet1.xml",
        head=(SHEET_START + "<sheetData>" + _header_row()).encode(),
        block=block,
        repeat=repeat,
        tail=b"</sheetData></worksheet>",
    )
    return zip_archive(workbook_members(sheet))


@functools.cache
def shared_strings_bomb(megabytes: int = 200) -> bytes:
    """Shared strings that unpack to ``megabytes`` MB of empty strings (millions of list items)."""
    block = b"<si/>" * 8192
    shared = Member(
        "xl/sharedStrings.xml",
        head=f'<sst xmlns="{MAIN_NS}">'.encode(),
        block=block,
        repeat=megabytes * MiB // len(block),
        tail=b"</sst>",
    )
    return zip_archive(workbook_members(sheet_xml([]), shared))


def wide_row(cells: int = 200_000) -> bytes:
    """One row of ``cells`` empty cells (under a megabyte, so no ratio gives it away)."""
    sheet = (
        SHEET_START
        + "<sheetData>"
        + _header_row()
        + "<row>"
        + "<c/>" * cells
        + "</row></sheetData></worksheet>"
    ).encode()
    return zip_archive(workbook_members(sheet))


def nested_rows(pairs: int = 20_000) -> bytes:
    """Rows inside a row: every inner row closes quickly, the outer one only at the end
    (under a megabyte, so no ratio gives it away)."""
    sheet = (
        SHEET_START
        + "<sheetData>"
        + _header_row()
        + '<row r="2">'
        + '<c t="inlineStr"><is><t>x</t></is></c><row></row>' * pairs
        + "</row></sheetData></worksheet>"
    ).encode()
    return zip_archive(workbook_members(sheet))


def many_entries(count: int = 12_000) -> bytes:
    members = workbook_members(sheet_xml([]))
    members += [Member(f"xl/media/{i}.bin", b"") for i in range(count)]
    return zip_archive(members)


def huge_dimension(rows: list[dict]) -> bytes:
    """A sheet declaring A1:Z1048576 that holds only ``rows``."""
    return xlsx(rows, dimension="A1:Z1048576")


@functools.cache
def million_rows(rows: int = 1_048_575) -> bytes:
    """A sheet with ``rows`` data rows (each a different name), as Excel's maximum allows."""
    parts = [SHEET_START, '<dimension ref="A1:Z1048576"/><sheetData>', _header_row()]
    parts += [
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>党员{r}</t></is></c></row>'
        for r in range(2, rows + 2)
    ]
    parts.append("</sheetData></worksheet>")
    data = "".join(parts).encode()
    deflate = zlib.compressobj(1, zlib.DEFLATED, -15)  # fast: 60 MB of XML
    sheet = Member("xl/worksheets/sheet1.xml")
    sheet.compressed, sheet.crc, sheet.size = (
        deflate.compress(data) + deflate.flush(),
        zlib.crc32(data),
        len(data),
    )
    return zip_archive(workbook_members(sheet))


# -- rows ------------------------------------------------------------------------------------


def bad_rows(count: int = 10_000) -> bytes:
    """``count`` rows, each wrong in three named fields (ID number, 民族, 入党日期)."""
    rows = [
        {
            "姓名": f"党员{i}",
            "公民身份号码": f"1101011990{i:08d}",
            "民族": "火星族",
            "入党日期": "2001-13-45",
            "所在党支部": "B1",
        }
        for i in range(count)
    ]
    return xlsx(rows)
