"""Is this file an .xlsx, and can openpyxl read it in bounded memory? Decided before openpyxl
is given the file, from its first bytes and the zip archive's own bookkeeping.

An .xlsx is a zip archive of XML parts. openpyxl (read-only) streams the worksheets row by
row, but it builds every *row* as an element tree before handing it over, reads the shared
strings into a list, and parses every other part it uses whole. A few kilobytes of deflated
XML can therefore cost gigabytes and minutes: one row of two million empty cells, five
million empty shared strings, a million merged ranges (measured: 10 KB → 650 MB and 19 s;
40 KB → 550 MB and 140 s). So, before openpyxl runs:

* the first bytes must be a zip archive's; an OLE file is either a password-protected
  workbook (its ``EncryptedPackage`` stream) or an Excel 97-2003 ``.xls``, and a PDF, an
  image or a text/CSV file is named as such;
* the archive must be readable, not password-protected, hold at most ``entries`` members
  which unpack to at most ``unpacked_bytes`` in all, none compressed more than ``ratio``
  times (XML deflates 5-15 times; a zip bomb about 1,000 times);
* ``[Content_Types].xml`` must name a workbook part (else: a Word document, an OpenDocument
  spreadsheet, a plain zip …) and the workbook's relationships at least one worksheet;
* every XML part is read once, as a stream, and measured: a part openpyxl reads whole may
  not exceed ``part_bytes`` / ``part_tags``; in a worksheet every row (and whatever lies
  between rows) may not exceed ``run_bytes`` / ``run_tags``; in the shared strings every
  string likewise, and there may be at most ``shared_strings`` of them.

Only the parts the workbook's relationships name as worksheets, and the one shared-string
part, get the per-row measure; anything else openpyxl might parse is held to the stricter
whole-part limits, so a part cannot escape them by its name. Measuring reads each part at
zip speed (a 200,000-row sheet, 137 MB of XML, in about 3 s); the tags are counted with
``bytes.count``, never parsed. Every refusal is a :class:`WorkbookError` whose message says
what the file is or what is wrong with it, for the person who uploaded it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, fields
from xml.etree import ElementTree

MiB = 1024 * 1024
CHUNK = MiB
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # binary .xls and encrypted OOXML
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
EXCEL_MAX_ROWS = 1_048_576
CONTENT_TYPES = "[Content_Types].xml"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml."
WORKBOOK_TYPES = (
    _SHEET_MAIN + "sheet.main+xml",
    _SHEET_MAIN + "template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
SHARED_STRINGS_TYPE = _SHEET_MAIN + "sharedStrings+xml"
OTHER_DOCUMENTS = (
    ("wordprocessingml.document", "a Word document (.docx)"),
    ("presentationml.presentation", "a PowerPoint presentation (.pptx)"),
)
XML_EXTENSIONS = (".xml", ".rels", ".vml")
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.\-]*):)?([A-Za-z_][\w.\-]*)[\s/>]")
_TOKEN_END_OPEN = frozenset(b" \t\r\n/>")
_TOKEN_END_CLOSE = frozenset(b" \t\r\n>")
# A boundary found: (b">", b"") closes, (b"", b">") opens and closes itself, (b"", b"") opens.
_KINDS = {(b">", b""): "C", (b"", b">"): "S", (b"", b""): "O"}
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)

DAMAGED = (
    "The file is a damaged or incomplete .xlsx (zip) archive; save it again with Excel "
    "or WPS and upload it again."
)
ENCRYPTED = (
    "The workbook is password-protected (encrypted); remove the password in Excel or "
    "WPS (File → Info → Protect Workbook), save it and upload it again."
)
OLD_XLS = "This is an old Excel 97-2003 (.xls) file; save it as .xlsx and upload again."
NOT_XLSX = "The file is not an Excel workbook (.xlsx)."


class WorkbookError(Exception):
    """The file cannot be read as a workbook at all (or not safely); the message says why."""


@dataclass(frozen=True)
class Limits:
    """How much a workbook may unpack to (see the module docstring). The first two are
    settings (``IMPORT_MAX_UNPACKED_BYTES``, ``IMPORT_MAX_SHARED_STRINGS``); the rest are
    far above what Excel or WPS write for a member register."""

    unpacked_bytes: int = 512 * MiB
    shared_strings: int = 1_000_000
    entries: int = 10_000
    part_bytes: int = 16 * MiB
    part_tags: int = 500_000
    run_bytes: int = 4 * MiB
    run_tags: int = 100_000
    ratio: int = 100
    ratio_floor: int = MiB  # smaller members are not checked for their ratio

    @classmethod
    def from_config(cls, config) -> Limits:
        names = {f.name: f"IMPORT_MAX_{f.name.upper()}" for f in fields(cls)}
        given = {name: int(config[key]) for name, key in names.items() if config.get(key)}
        return cls(**given)


def _mb(size: int) -> str:
    return f"{size / MiB:.1f} MB"


# -- what the file is ------------------------------------------------------------------------


def check_file(path, limits: Limits | None = None) -> None:
    """Refuse ``path`` with :class:`WorkbookError` unless it is an .xlsx that can be read
    within ``limits``."""
    with open(path, "rb") as f:
        head = f.read(512)
    if not head:
        raise WorkbookError("The file is empty.")
    if head.startswith(OLE_SIGNATURE[:4]):
        raise WorkbookError(ENCRYPTED if _contains(path, ENCRYPTED_STREAM) else OLD_XLS)
    if not head.startswith(ZIP_SIGNATURE):
        raise WorkbookError(_not_a_workbook(head))
    check_archive(path, limits or Limits())


def _contains(path, needle: bytes) -> bool:
    """Whether the file holds ``needle`` (read in chunks; an OLE directory names its
    streams in UTF-16, wherever in the file the directory lies)."""
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _not_a_workbook(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "The file is not an Excel workbook (.xlsx): it is a PDF document."
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")):
        return "The file is not an Excel workbook (.xlsx): it is an image."
    if _looks_like_text(head):
        return (
            "The file is not an Excel workbook (.xlsx): it is a text or CSV file; open it "
            "in Excel or WPS and save it as .xlsx."
        )
    return NOT_XLSX


def _looks_like_text(head: bytes) -> bool:
    encodings = ["utf-8-sig", "gb18030"]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings.insert(0, "utf-16")
    for encoding in encodings:
        for cut in range(4):  # the sample may end inside a multi-byte character
            try:
                text = head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            if text and all(ch.isprintable() or ch in "\t\r\n" for ch in text.lstrip("\ufeff")):
                return True
            break
    return False


# -- the archive -----------------------------------------------------------------------------


def check_archive(path, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise WorkbookError(DAMAGED) from None
    with archive:
        try:
            _check(archive, limits)
        except WorkbookError:
            raise
        except _READ_ERRORS:
            raise WorkbookError(DAMAGED) from None


def _check(archive: zipfile.ZipFile, limits: Limits) -> None:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > limits.entries:
        raise WorkbookError(
            f"The file holds {len(infos):,} parts, more than the {limits.entries:,} "
            "an Excel workbook may have; it is not a workbook saved by Excel or WPS."
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise WorkbookError(ENCRYPTED)
    total = sum(i.file_size for i in infos)
    if total > limits.unpacked_bytes:
        raise WorkbookError(
            f"The workbook unpacks to {_mb(total)}, more than the limit of {_mb(limits.unpacked_bytes)}; "
            "delete empty formatted rows and columns (or copy the data into a new workbook) "
            "or split it."
        )
    for info in infos:
        if info.file_size >= limits.ratio_floor and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise WorkbookError(
                f"The part {info.filename} unpacks to {_mb(info.file_size)} from "
                f"{info.compress_size:,} bytes ({info.file_size // max(info.compress_size, 1):,} times): "
                "this looks like a zip bomb, not a workbook saved by Excel or WPS."
            )
    by_name = {i.filename: i for i in infos}
    workbook, sheets, shared = _parts(archive, by_name, limits)
    for info in infos:
        if info.filename in sheets:
            _scan_runs(archive, info, b"worksheet", b"row", limits)
        elif info.filename == shared:
            _scan_runs(archive, info, b"sst", b"si", limits)
        elif info.filename.lower().endswith(XML_EXTENSIONS) or info.filename == workbook:
            _read_whole(archive, info, limits)


def _parts(archive, by_name: dict, limits: Limits) -> tuple[str, set[str], str | None]:
    """(workbook part, worksheet parts, shared-string part) as the package declares them."""
    if CONTENT_TYPES not in by_name:
        if "mimetype" in by_name and b"opendocument" in _read_whole(
            archive, by_name["mimetype"], limits
        ):
            raise WorkbookError(
                "The file is an OpenDocument spreadsheet (.ods); save it as .xlsx "
                "in WPS or LibreOffice and upload it again."
            )
        raise WorkbookError("The file is a zip archive, not an Excel workbook (.xlsx).")
    overrides = {}
    for node in _xml(archive, by_name[CONTENT_TYPES], limits).iter(f"{_CT_NS}Override"):
        overrides.setdefault(node.get("ContentType", ""), []).append(
            node.get("PartName", "").lstrip("/")
        )
    workbook = next((overrides[t][0] for t in WORKBOOK_TYPES if t in overrides), None)
    if workbook is None:
        for marker, what in OTHER_DOCUMENTS:
            if any(marker in t for t in overrides):
                raise WorkbookError(f"The file is not an Excel workbook (.xlsx): it is {what}.")
        raise WorkbookError("The file is a zip archive, not an Excel workbook (.xlsx).")
    if workbook not in by_name:
        raise WorkbookError(DAMAGED)
    folder, base = posixpath.split(workbook)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    sheets, others = set(), set()
    if rels_name in by_name:
        for rel in _xml(archive, by_name[rels_name], limits).iter(f"{_REL_NS}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = _resolve(folder, rel.get("Target", ""))
            (sheets if rel.get("Type", "").endswith("/worksheet") else others).add(target)
    sheets = (sheets - others) & set(by_name)
    if not sheets:
        raise WorkbookError("The workbook has no worksheet.")
    shared = next(iter(overrides.get(SHARED_STRINGS_TYPE, [])), None)
    if shared in sheets or shared == workbook:
        shared = None  # read whole, under the stricter limits
    return workbook, sheets, shared


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target))


def _xml(archive, info, limits: Limits):
    try:
        return ElementTree.fromstring(_read_whole(archive, info, limits))
    except ElementTree.ParseError:
        raise WorkbookError(DAMAGED) from None


def _too_big(name: str, what: str, limit: str) -> WorkbookError:
    return WorkbookError(
        f"The part {name} has {what} (at most {limit}); the workbook is damaged or was not "
        "saved by Excel or WPS."
    )


def _read_whole(archive, info, limits: Limits) -> bytes:
    """A part openpyxl parses whole: measured, and returned (it is small)."""
    if info.file_size > limits.part_bytes:
        raise _too_big(info.filename, f"{_mb(info.file_size)} of XML", _mb(limits.part_bytes))
    data = archive.read(info)
    tags = data.count(b"<")
    if tags > limits.part_tags:
        raise _too_big(info.filename, f"{tags:,} XML tags", f"{limits.part_tags:,}")
    return data


def _scan_runs(archive, info, root: bytes, tag: bytes, limits: Limits) -> None:
    """Measure a part read element by element (a worksheet's rows, the shared strings).

    The runs are the stretches between one ``<row`` (``<si``) boundary and the next; each may
    hold at most ``run_tags`` tags and ``run_bytes`` bytes, so one row — which openpyxl
    builds whole — stays small whatever the file. A row inside a row is refused (it would
    let the outer one grow without bound). Text and attribute values cannot hold a ``<``,
    so a tag is what it looks like; the work per chunk is a few C-level searches."""
    with archive.open(info) as stream:
        first = stream.read(_RunScan.chunk_size(limits))
        scan = _RunScan(info.filename, tag, limits, first, root)
        while chunk := stream.read(scan.chunk):
            scan.feed(chunk)
        scan.feed(b"", end=True)


class _RunScan:
    """Chunks of at most ``chunk`` bytes hold fewer than ``run_tags`` elements (an element
    takes three bytes at least) and fewer than ``run_bytes`` bytes, so only a run that spans
    chunks can break a limit: it is the one measured, from the last boundary of one chunk
    to the first of a later one."""

    @staticmethod
    def chunk_size(limits: Limits) -> int:
        return max(min(256 * 1024, limits.run_bytes // 2, 3 * limits.run_tags), 4096)

    def __init__(self, name: str, tag: bytes, limits: Limits, first: bytes, root: bytes):
        match = _ROOT.search(first, 0, 65536)  # the root element (<?xml and comments never match)
        if match is None or match.group(2) != root:
            raise WorkbookError(DAMAGED)
        literal = re.escape((match.group(1) + b":" if match.group(1) else b"") + tag)
        # "row" first, so the search runs at C speed; what stands before it is looked behind.
        self.pattern = re.compile(
            literal
            + rb"(?:(?<=</"
            + literal
            + rb")\s*(>)|(?<=<"
            + literal
            + rb")(?:\s[^>]*)?(?:(?<=/)(>)|>))"
        )
        self.name, self.limits, self.is_rows = name, limits, tag == b"row"
        self.chunk = self.chunk_size(limits)
        self.count = 0
        self.inside = False
        self.run_bytes = self.run_tags = 0  # the run still open at the end of what was read
        self.carry = b""
        self.feed(first)

    def feed(self, chunk: bytes, end: bool = False) -> None:
        buf = self.carry + chunk
        # What follows the last "<" may be a tag cut by the chunk's end: read it with the next.
        hi = len(buf) if end else max(buf.rfind(b"<"), 0)
        if len(buf) - hi > self.limits.run_bytes // 2:
            hi = len(buf)  # a long text without tags: nothing to cut
        kinds = "".join(map(_KINDS.__getitem__, self.pattern.findall(buf, 0, hi)))
        if kinds:
            first = self.pattern.search(buf, 0, hi).start()
            self._grow(buf, 0, first)
            if re.search("O[OS]", ("O" if self.inside else "") + kinds):
                inner = "a row inside a row" if self.is_rows else "a text inside a text"
                raise WorkbookError(
                    f"The part {self.name} has {inner}; the workbook is damaged or "
                    "was not saved by Excel or WPS."
                )
            self.inside = kinds[-1] == "O"
            self.count += len(kinds) - kinds.count("C")
            self._check_count()
            self.run_bytes = self.run_tags = 0
            last = max((m.start() for m in self._last(buf, hi)), default=first)
            self._grow(buf, last, hi)
        else:
            self._grow(buf, 0, hi)
        self.carry = buf[hi:]

    def _last(self, buf: bytes, hi: int):
        """The last boundary before ``hi`` (searched backwards from the last candidate)."""
        at = hi
        while (at := max(buf.rfind(b"<", 0, at), -1)) >= 0:
            match = self.pattern.match(buf, at + 1 if buf[at + 1 : at + 2] != b"/" else at + 2, hi)
            if match is not None:
                yield match
                return

    def _grow(self, buf: bytes, start: int, stop: int) -> None:
        if stop <= start:
            return
        self.run_bytes += stop - start
        self.run_tags += buf.count(b"<", start, stop)
        if self.run_tags > self.limits.run_tags:
            raise self._error(f"more than {self.limits.run_tags:,} XML tags")
        if self.run_bytes > self.limits.run_bytes:
            raise self._error(f"more than {_mb(self.limits.run_bytes)}")

    def _check_count(self) -> None:
        if self.is_rows and self.count > EXCEL_MAX_ROWS:
            raise WorkbookError(
                f"The part {self.name} has more rows than Excel allows "
                f"({EXCEL_MAX_ROWS:,}); it was not saved by Excel or WPS."
            )
        if not self.is_rows and self.count > self.limits.shared_strings:
            raise WorkbookError(
                f"The workbook holds more than {self.limits.shared_strings:,} different texts "
                "(shared strings); split it into smaller files."
            )

    def _error(self, what: str) -> WorkbookError:
        unit = "row" if self.is_rows else "text (shared string)"
        where = f"{unit} {self.count}" if self.inside else f"what lies between its {unit}s"
        return WorkbookError(
            f"The part {self.name} has {what} in {where}; the workbook is damaged or was not "
            "saved by Excel or WPS."
        )
