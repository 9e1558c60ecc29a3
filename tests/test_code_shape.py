"""Code that fits on a screen: functions of at most 60 lines, pages of at most 100
(../shared/STYLE.md); and no two tests of one name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 60
MAX_PAGE_LINES = 100
NOT_CODE = {"tests", "artifacts", "out", "__pycache__"}  # and hidden folders (.venv, .git)

# Still too long, and being split. Each entry must stay too long: whoever fixes one removes it.
LONG_FUNCTIONS: dict[str, tuple[str, ...]] = {}
LONG_PAGES: tuple[str, ...] = ()


def source_files() -> list[str]:
    """Every Python file of the app, the library and the benchmarks, relative to the root."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        if not any(
            part in NOT_CODE or part.startswith(".") for part in path.relative_to(ROOT).parts[:-1]
        )
    )


def function_lengths(file: Path) -> dict[str, int]:
    """Lines of each function and method in the file (decorators aside), by qualified name."""
    lengths: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, prefix)
                continue
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                lengths[name] = child.end_lineno - child.lineno + 1
            visit(child, f"{name}.")

    visit(ast.parse(file.read_text(encoding="utf-8"), str(file)), "")
    return lengths


def page_lines(path: str) -> int:
    return len((ROOT / path).read_text(encoding="utf-8").splitlines())


def test_the_scan_sees_the_library_the_app_and_its_pages_but_not_the_tests():
    files = source_files()
    assert {"app.py", "data/prepare.py", "forecasting/train.py", "ui/pickers.py"} <= set(files)
    assert any(path.startswith("app_pages/") for path in files)
    assert not any(path.startswith(("tests/", ".venv/")) for path in files)


def test_every_function_outside_the_tests_fits_in_60_lines():
    too_long = [
        f"{path}: {name} has {lines} lines"
        for path in source_files()
        for name, lines in function_lengths(ROOT / path).items()
        if lines > MAX_FUNCTION_LINES and name not in LONG_FUNCTIONS.get(path, ())
    ]
    assert not too_long, f"Split into helpers of at most {MAX_FUNCTION_LINES} lines: {too_long}"


def test_every_page_fits_in_100_lines():
    pages = [path for path in source_files() if path.startswith("app_pages/")]
    too_long = [
        f"{path} has {page_lines(path)} lines"
        for path in pages
        if page_lines(path) > MAX_PAGE_LINES and path not in LONG_PAGES
    ]
    assert not too_long, f"Move work out of the page, to at most {MAX_PAGE_LINES} lines: {too_long}"


@pytest.mark.parametrize(
    ("path", "name"),
    [(path, name) for path, names in LONG_FUNCTIONS.items() for name in names],
    ids=lambda value: value,
)
def test_a_function_allowed_to_be_long_still_is(path, name):
    lines = function_lengths(ROOT / path).get(name)
    assert lines is not None, f"{path} has no function {name}: remove it from LONG_FUNCTIONS."
    assert lines > MAX_FUNCTION_LINES, (
        f"{path}: {name} now fits ({lines} lines): remove it from LONG_FUNCTIONS."
    )


@pytest.mark.parametrize("path", LONG_PAGES)
def test_a_page_allowed_to_be_long_still_is(path):
    assert (ROOT / path).exists(), f"{path} is gone: remove it from LONG_PAGES."
    lines = page_lines(path)
    assert lines > MAX_PAGE_LINES, f"{path} now fits ({lines} lines): remove it from LONG_PAGES."


def test_a_function_is_measured_from_its_def_to_its_last_line_by_qualified_name(tmp_path):
    body = "\n".join(f"    x{k} = {k}" for k in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(
        f"@decorated\ndef long():\n{body}\n\n\nclass Box:\n    def short(self):\n        return 1\n"
    )
    assert function_lengths(tmp_path / "long.py") == {
        "long": MAX_FUNCTION_LINES + 1,
        "Box.short": 2,
    }


def names_of_tests(root: Path) -> dict[str, list[str]]:
    """Each test function's name, with the test modules that define it."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found.setdefault(node.name, []).append(path.relative_to(root).as_posix())
    return found


def test_no_two_tests_share_a_name():
    """A name says what one test checks; a second test of the same name hides which failed."""
    found = names_of_tests(ROOT / "tests")
    shared = {name: files for name, files in found.items() if len(files) > 1}
    assert not shared, f"tests sharing a name: {shared}"


def test_a_shared_test_name_is_found(tmp_path):
    (tmp_path / "test_a.py").write_text("def test_same():\n    pass\n")
    (tmp_path / "test_b.py").write_text(
        "def test_same():\n    pass\n\n\ndef test_other():\n    pass\n"
    )
    assert names_of_tests(tmp_path) == {
        "test_same": ["test_a.py", "test_b.py"],
        "test_other": ["test_b.py"],
    }
