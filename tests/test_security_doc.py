"""docs/security.md names a test for each guarantee; a renamed or deleted test must not leave
the page pointing at nothing."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
# `security/test_x.py`, `security/test_x.py::test_name`, or `::test_name` (of the row's file)
REFERENCE = re.compile(r"`((?:[\w/]+\.py)?)(?:::(\w+))?[^`]*`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _rows():
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and ".py" in line:
            yield line


def test_every_test_the_security_page_names_exists():
    missing, checked = [], 0
    for row in _rows():
        files = []
        for file, name in REFERENCE.findall(row):
            if "*" in file or not (file or name):
                continue
            if file:
                path = ROOT / file if file.startswith("bench/") else ROOT / "tests" / file
                if not path.exists():
                    missing.append(file)
                    continue
                files.append(path)
            if name:
                checked += 1
                where = [files[-1]] if file else files
                if not any(name in _tests_in(path) for path in where):
                    missing.append(f"{file or [p.name for p in files]}::{name}")
    assert checked > 40, "the page names fewer tests than it should; is the pattern still right?"
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"
