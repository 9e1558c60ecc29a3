"""ARCHITECTURE.md matches the house: every module is on its map, every module on the map
exists, and imports keep the rules it states."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app_pages", "data", "forecasting", "models", "ui")
OURS = {*PACKAGES, "app"}
MAY_IMPORT = {  # of our own packages
    "data": {"data"},
    "models": {"models"},
    "forecasting": {"data", "models", "forecasting"},
    "ui": {"data", "models", "forecasting", "ui"},
    "app_pages": {"data", "models", "forecasting", "ui"},
    "app": {"data", "models", "forecasting", "ui"},
}
STREAMLIT_ALLOWED = ("app.py", "app_pages/", "ui/")
FIGURE_BUILDERS = ("ui/charts.py", "ui/cell_charts.py", "ui/compare_charts.py", "ui/tune_charts.py")


def modules() -> list[str]:
    found = ["app.py"]
    for package in PACKAGES:
        found += [str(path.relative_to(ROOT)) for path in (ROOT / package).rglob("*.py")]
    return sorted(found)


def mapped() -> set[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    return set(re.findall(r"`((?:app|app_pages|data|forecasting|models|ui)[\w/]*\.py)`", text))


def imported(path: str, root: Path = ROOT) -> set[str]:
    """The top-level names of what the module imports."""
    tree = ast.parse((root / path).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def broken_rules(path: str, root: Path = ROOT) -> list[str]:
    """What the module's imports break of ARCHITECTURE.md's invariants."""
    layer, names = path.split("/")[0].removesuffix(".py"), imported(path, root)
    broken = [f"{path} imports {name}" for name in sorted(names & OURS - MAY_IMPORT[layer])]
    if "streamlit" in names and (not path.startswith(STREAMLIT_ALLOWED) or path in FIGURE_BUILDERS):
        broken.append(f"{path} imports streamlit")
    return broken


def test_every_module_is_on_the_map():
    missing = [path for path in modules() if path not in mapped()]
    assert not missing, f"ARCHITECTURE.md's code map does not name {missing}"


def test_every_module_on_the_map_exists():
    gone = sorted(path for path in mapped() if not (ROOT / path).exists())
    assert not gone, f"ARCHITECTURE.md names modules that do not exist: {gone}"


@pytest.mark.parametrize("path", modules())
def test_imports_go_one_way(path):
    assert broken_rules(path) == []


def test_the_rules_see_a_wrong_import(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "ui").mkdir()
    (tmp_path / "data" / "bad.py").write_text("import streamlit\nfrom forecasting import x\n")
    (tmp_path / "ui" / "charts.py").write_text("import streamlit as st\nfrom data import y\n")
    assert broken_rules("data/bad.py", tmp_path) == [
        "data/bad.py imports forecasting",
        "data/bad.py imports streamlit",
    ]
    assert broken_rules("ui/charts.py", tmp_path) == ["ui/charts.py imports streamlit"]
