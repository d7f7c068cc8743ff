"""Benchmark: what hostile and huge workbooks cost the import — time, peak memory — and
what openpyxl alone would have cost without the checks of ``core.excel.archive``.

    .venv/bin/python bench/excel_broken.py [--only NAME] [--unguarded]

The files are those of ``tests/excel/broken_files.py``:

* ``zip bomb`` — a sheet that unpacks to 300 MB from 1.2 MB;
* ``shared strings bomb`` — 200 MB of empty shared strings from 0.45 MB;
* ``wide row`` — one row of 200,000 cells in 0.8 MB of XML;
* ``million rows`` — 1,048,575 data rows (Excel's maximum), 8 MB: the upload check, then
  the importer's read with the default ``IMPORT_MAX_ROWS`` (200,000) until it refuses;
* ``10,000 bad rows`` — the upload check, then every row read and validated, errors
  summarised (the database is not involved: this is the reading side of the job).

Each step (the upload check, the job's read) runs in a fresh process reading the file from
disk; it prints the seconds and the peak RSS (``VmHWM``) over the process's start-up
peak, and with ``--tracemalloc`` the tracemalloc peak (Python allocations; much slower).
``--unguarded`` also times openpyxl opening and reading the file *without* the checks (the
bombs then run for minutes and take gigabytes: it is what the checks prevent). A benchmark,
never a test: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASES = ("zip bomb", "shared strings bomb", "wide row", "million rows", "10,000 bad rows")


def _data(name: str) -> bytes:
    from tests.excel import broken_files as bf

    return {
        "zip bomb": bf.sheet_bomb,
        "shared strings bomb": bf.shared_strings_bomb,
        "wide row": bf.wide_row,
        "million rows": bf.million_rows,
        "10,000 bad rows": bf.bad_rows,
    }[name]()


def _rss_mb() -> float:
    """This process's peak RSS: VmHWM (a spawned process starts its own count; ru_maxrss
    would carry the parent's peak across exec), else ru_maxrss."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(label: str, path: str, traced: bool, out) -> None:
    """One step in a fresh process: its time, its peak RSS over the process's start-up peak
    and, with ``traced``, the tracemalloc peak (Python allocations; slows the step down)."""
    import core.excel.archive
    import core.excel.importer
    import core.excel.parsing  # noqa: F401 - imported before measuring: not part of the figures

    step = STEPS[label]
    baseline = _rss_mb()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = step(path)
    except Exception as exc:  # noqa: BLE001 - a refusal is the outcome being measured
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if traced else None
    peak = _rss_mb()
    figures = f"{seconds:7.2f} s  peak RSS {peak:7.1f} MB (+{peak - baseline:6.1f} over start-up)"
    if traced_peak is not None:
        figures += f"  tracemalloc peak {traced_peak:6.1f} MB"
    out.send(f"  {label:24} {figures}  {str(outcome)[:100]}")


def _check(path) -> str:
    from core.excel.archive import check_file

    check_file(path)
    return "accepted"


def _read(path) -> str:
    from core.excel.importer import DEFAULT_MAX_ROWS
    from core.excel.parsing import messages

    rows = errors = 0
    outcome = ""
    for message in messages(path, max_rows=DEFAULT_MAX_ROWS):
        if message[0] == "invalid":
            return f"refused: {message[3]}"
        if message[0] == "rows":
            rows, errors = message[3], errors + len(message[2])
        if message[0] == "end":
            outcome = message[2] or "read to the end"
    return f"{rows:,} rows read, {errors:,} errors: {outcome}"


def _unguarded(path) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    return f"openpyxl read {rows:,} rows"


STEPS = {"upload check": _check, "job's read": _read, "openpyxl without checks": _unguarded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=CASES)
    parser.add_argument(
        "--unguarded",
        action="store_true",
        help="also let openpyxl read each file without the checks (slow)",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also report tracemalloc's peak (several times slower)",
    )
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    labels = ["upload check", "job's read"] + (
        ["openpyxl without checks"] if args.unguarded else []
    )
    for name in [args.only] if args.only else CASES:
        data = _data(name)
        print(f"{name}: {len(data) / 1024 / 1024:.2f} MB file", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
            f.write(data)
            f.flush()
            for label in labels:
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_step, args=(label, f.name, args.tracemalloc, sender)
                )
                process.start()
                sender.close()
                try:
                    print(receiver.recv(), flush=True)
                except EOFError:
                    print(f"  {label:24} the process died (killed for its memory?)", flush=True)
                process.join()


if __name__ == "__main__":
    main()
