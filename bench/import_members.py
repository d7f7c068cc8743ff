"""Benchmark: import N members from .xlsx (default 100,000), then import the same file again.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench \\
        .venv/bin/python bench/import_members.py [--members 100000] [--branches 300]

What it does, on the database of ``DATABASE_URL`` (a scratch database: it creates missing
tables and a new tenant ``bench-<time>`` each run; intended for PostgreSQL):

1. builds an organisation tree (a city committee, county and township committees, and
   ``--branches`` branches under them);
2. writes a realistic workbook of N members with the template's headers — Chinese names,
   valid ID numbers (correct GB 11643 check characters), phones, addresses, dates, a few
   lost-contact and mobile members — the way Excel and WPS save one (shared strings, a
   declared sheet size, dates as date cells); this runs in a child process so its memory
   does not count below;
3. times the import job (in-process: this measures the import, not a queue), first import
   and re-import of the same file, and prints rows/s, seconds and the process's peak memory
   (``ru_maxrss``);
4. times the export of those members (``--no-export`` to skip).

``--openpyxl-file`` writes the workbook with openpyxl's ``write_only`` mode instead (inline
strings and no declared size, as the app's own exports are): the slower case for the reader.
A benchmark, never a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强文玉梅红梅海燕婷丹萍鹏辉宇浩然子涵欣怡思远雨轩晨阳佳琪嘉怡俊杰梓涵一诺"
REGIONS = ("320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115", "320116", "320117")
STREETS = ("中山路", "北京东路", "汉中路", "江东北路", "龙蟠路", "太平南路", "清凉门大街", "应天大街")
EDUCATION = ("研究生", "大学本科", "大学本科", "大学专科", "中专", "高中", "初中及以下")
JOBS = ("工人", "农牧渔民", "专业技术人员", "企业管理人员", "党政机关工作人员", "学生", "离退休人员", "其他职业人员")
REASONS = ("外出务工经商", "单位改制或破产", "毕业后去向不明", "工作单位改变", "出国(境)", "居住地改变", "其他")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
EXCEL_EPOCH = date(1899, 12, 30)


def id_number(region: str, birth: date, sequence: int, male: bool) -> str:
    last = sequence % 5 * 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{sequence // 5 % 100:02d}{last}"
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def member_rows(n: int, branch_codes: list[str], seed: int = 7):
    """Yield N rows (lists in template header order) with unique, valid ID numbers."""
    from core.excel.columns import MEMBER_COLUMNS

    headers = [c.header for c in MEMBER_COLUMNS]
    rng = random.Random(seed)
    used: set[str] = set()
    for i in range(n):
        while True:
            birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 62))
            male = rng.random() < 0.7
            number = id_number(rng.choice(REGIONS), birth, rng.randrange(0, 500), male)
            if number not in used:
                used.add(number)
                break
        joined = birth + timedelta(days=365 * rng.randint(19, 30) + rng.randrange(0, 300))
        joined = min(joined, date(2024, 6, 1))
        probationary = joined > date(2023, 9, 1)
        full_on = None if probationary else joined + timedelta(days=365)
        kind = rng.random()
        values = {
            "姓名": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
            "性别": "男" if male else "女",
            "公民身份号码": number,
            "民族": "汉族" if rng.random() < 0.93 else rng.choice(("回族", "满族", "蒙古族", "壮族")),
            "出生日期": birth,
            "学历": rng.choice(EDUCATION),
            "人员类别/工作岗位": rng.choice(JOBS),
            "入党日期": joined,
            "转正日期": full_on,
            "所在党支部": branch_codes[i % len(branch_codes)],
            "联系电话": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            "家庭住址": f"江苏省南京市{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋",
            "党籍状态": "预备党员" if probationary else "正式党员",
            "是否失联": "否",
            "是否流动党员": "否",
            "工作单位": f"南京市第{rng.randint(1, 500)}单位",
            "是否离退休": "是" if birth < date(1964, 1, 1) else "否",
            "是否农民": "否",
            "是否学生": "否",
        }
        if kind < 0.01 and not probationary:
            values.update({"是否失联": "是", "失联日期": date(2024, 9, 1), "失联原因": rng.choice(REASONS)})
        elif kind < 0.04:
            values.update({"是否流动党员": "是", "外出日期": date(2024, 9, 1), "外出流向": "广东省深圳市"})
        yield headers if i == 0 else None, [values.get(h) for h in headers]


def _cell_ref(col: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def write_excel_style(path: Path, n: int, branch_codes: list[str]) -> None:
    """The workbook as Excel saves one: shared strings, a <dimension>, date cells (numFmt 14)."""
    from core.excel.columns import MEMBER_COLUMNS

    headers = [c.header for c in MEMBER_COLUMNS]
    strings: dict[str, int] = {}

    def sst(value: str) -> int:
        index = strings.get(value)
        if index is None:
            index = strings[value] = len(strings)
        return index

    letters = [_cell_ref(c, 1)[:-1] for c in range(1, len(headers) + 1)]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as sheet:
        sheet.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="A1:{letters[-1]}{n + 1}"/><sheetData>')
        sheet.write('<row r="1">' + "".join(
            f'<c r="{letters[i]}1" t="s"><v>{sst(h)}</v></c>' for i, h in enumerate(headers)) + "</row>")
        for r, (_, values) in enumerate(member_rows(n, branch_codes), start=2):
            cells = []
            for i, value in enumerate(values):
                if value is None:
                    continue
                ref = f"{letters[i]}{r}"
                if isinstance(value, date):
                    cells.append(f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" t="s"><v>{sst(str(value))}</v></c>')
            sheet.write(f'<row r="{r}">{"".join(cells)}</row>')
        sheet.write("</sheetData></worksheet>")
        sheet.seek(0)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", CONTENT_TYPES)
            z.writestr("_rels/.rels", ROOT_RELS)
            z.writestr("xl/workbook.xml", WORKBOOK)
            z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
            z.writestr("xl/styles.xml", STYLES)
            with z.open("xl/worksheets/sheet1.xml", "w") as out:
                while chunk := sheet.read(1 << 20):
                    out.write(chunk.encode("utf-8"))
            items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
            z.writestr("xl/sharedStrings.xml",
                       '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                       f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')


def write_openpyxl(path: Path, n: int, branch_codes: list[str]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员信息")
    for headers, values in member_rows(n, branch_codes):
        if headers:
            sheet.append(headers)
        sheet.append(values)
    workbook.save(path)


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="党员信息" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def build_tree(branches: int) -> list[str]:
    """A city committee → counties → townships → ``branches`` branches; returns branch codes."""
    from core.db import db
    from core.orgs import service as orgs

    city = orgs.create(name="南京市委", code="BENCH", kind="committee")
    counties = [orgs.create(name=f"第{c + 1}区委", code=f"K{c + 1:02d}", kind="committee", parent=city)
                for c in range(10)]
    townships = [orgs.create(name=f"{county.name}第{t + 1}街道党工委", code=f"{county.code}T{t + 1:02d}",
                             kind="committee", parent=county)
                 for county in counties for t in range(5)]
    codes = []
    for b in range(branches):
        township = townships[b % len(townships)]
        code = f"{township.code}B{b + 1:04d}"
        orgs.create(name=f"{township.name}第{b + 1}党支部", code=code, kind="branch", parent=township)
        codes.append(code)
    db.session.commit()
    return codes


def peak_mb() -> float:
    """Peak resident memory of this process, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_peak_mb() -> float:
    """Peak resident memory of the largest child process that has ended (the sheet reader)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=300)
    parser.add_argument("--openpyxl-file", action="store_true",
                        help="write the workbook with openpyxl write_only (as the app's exports)")
    parser.add_argument("--no-export", action="store_true", help="skip timing the export")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first import to FILE")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from core.app import create_app
    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.excel import exporter, uploads
    from core.excel.importer import JOB_NAME
    from core.jobs import service as jobs
    from core.members.models import Member
    from core.models import load_all_models
    from core.tenancy import rls, tenant_context
    from core.tenancy.models import Tenant

    app = create_app({"REDIS_URL": None, "MAX_CONTENT_LENGTH": 200 * 1024 * 1024,
                      "JOB_MAX_RETRIES": 0})
    with app.app_context():
        load_all_models()
        db.create_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                rls.ensure_policies(conn)
                if rls.connection_bypasses_rls(conn):
                    print("warning: connected as a superuser or BYPASSRLS role: row-level "
                          "security is not exercised", file=sys.stderr)
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        slug = f"bench-{int(time.time())}"
        tenant = Tenant(slug=slug, name="基准测试市委组织部", hosts=[])
        db.session.add(tenant)
        db.session.commit()
        tenant_id = tenant.id
        with acting_as(cli_actor()), tenant_context(tenant_id):
            codes = build_tree(args.branches)
        print(f"tenant {slug}: {args.branches} branches, {args.branches + 61} organisations")

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "members.xlsx"
            writer = write_openpyxl if args.openpyxl_file else write_excel_style
            db.session.remove()
            db.engine.dispose()  # the child must not inherit open database connections
            started = time.perf_counter()
            child = multiprocessing.get_context("fork").Process(
                target=writer, args=(path, args.members, codes))
            child.start()
            child.join()
            if child.exitcode != 0:
                raise SystemExit("writing the workbook failed")
            print(f"workbook: {args.members} members, {path.stat().st_size / 1e6:.1f} MB "
                  f"({'openpyxl write_only' if args.openpyxl_file else 'Excel-style'}), "
                  f"written in {time.perf_counter() - started:.1f} s")
            print(f"peak memory before importing: {peak_mb():.0f} MB (the workbook writer, a child "
                  f"process: {child_peak_mb():.0f} MB)")

            for label in ("first import", "re-import"):
                with acting_as(cli_actor()), tenant_context(tenant_id):
                    started = time.perf_counter()
                    name = uploads.store_file(tenant_id, path)
                    stored = time.perf_counter() - started
                    if args.profile and label == "first import":
                        import cProfile

                        profiler = cProfile.Profile()
                        job = profiler.runcall(jobs.enqueue, JOB_NAME, upload=name, mode="all_or_nothing")
                        profiler.dump_stats(args.profile)
                    else:
                        job = jobs.enqueue(JOB_NAME, upload=name, mode="all_or_nothing")
                    elapsed = time.perf_counter() - started
                    state, error, result = job.state, job.error, job.result or {}
                    count = db.session.scalar(select(func.count()).select_from(Member))
                print(f"{label}: {state}, {result.get('message') or error}")
                print(f"  {elapsed:.1f} s in all ({stored:.1f} s storing and checking the upload), "
                      f"{args.members / elapsed:,.0f} rows/s, members in the register: {count}")
                print(f"  peak memory so far: {peak_mb():.0f} MB in the job's process, "
                      f"{child_peak_mb():.0f} MB in the largest child process")
                if state != "finished" or result.get("status") != "imported":
                    raise SystemExit(f"the import did not succeed: {result.get('errors', [])[:5]}")

            if not args.no_export:
                with acting_as(cli_actor()), tenant_context(tenant_id):
                    started = time.perf_counter()
                    with open(Path(folder) / "export.xlsx", "wb") as out:
                        written = exporter.write_members(out, None, visible=None, full_view=lambda p: True)
                    elapsed = time.perf_counter() - started
                print(f"export: {written} members in {elapsed:.1f} s "
                      f"({written / elapsed:,.0f} rows/s), peak memory so far {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
