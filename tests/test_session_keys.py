"""Session state keys are spelled in ui/state.py alone (../shared/STYLE.md): elsewhere, by
its names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.test_code_shape import ROOT, source_files

STATE = "ui/state.py"
KEY_HELPERS = {"set_pick", "picked", "remembered", "remember"}  # ui/state.py's, by widget key
SESSION_METHODS = {"get", "setdefault", "pop"}


def is_literal(node: ast.AST | None) -> bool:
    """A key written out here: "pick.seed" or f"pick.{kind}.gaps"."""
    text = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return text or isinstance(node, ast.JoinedStr)


def is_session_state(node: ast.AST) -> bool:
    """st.session_state, app.session_state, or session_state imported bare."""
    if isinstance(node, ast.Attribute):
        return node.attr == "session_state"
    return isinstance(node, ast.Name) and node.id == "session_state"


def called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def spelled_key(node: ast.AST, state_keys: set[str]) -> str | None:
    """How `node` spells a session state key as a string, or None when it does not."""
    if isinstance(node, ast.Subscript) and is_session_state(node.value):
        return ast.unparse(node) if is_literal(node.slice) else None
    if isinstance(node, ast.Compare) and any(map(is_session_state, node.comparators)):
        return ast.unparse(node) if is_literal(node.left) else None
    if not isinstance(node, ast.Call):
        return None
    name, first = called_name(node), node.args[0] if node.args else None
    on_session = isinstance(node.func, ast.Attribute) and is_session_state(node.func.value)
    if is_literal(first) and (name in KEY_HELPERS or (on_session and name in SESSION_METHODS)):
        return ast.unparse(node)
    widget_keys = [keyword.value for keyword in node.keywords if keyword.arg == "key"]
    if any(isinstance(key, ast.Constant) and key.value in state_keys for key in widget_keys):
        return f"{ast.unparse(node)}: a widget key {STATE} names"
    return None


def spelled_keys(source: str, state_keys: set[str]) -> list[str]:
    """Each place in `source` where a session state key is a string written out, by line."""
    return [
        f"line {node.lineno}: {spelled}"
        for node in ast.walk(ast.parse(source))
        if (spelled := spelled_key(node, state_keys))
    ]


def state_key_values() -> set[str]:
    """The keys ui/state.py names as constants (module-level strings)."""
    tree = ast.parse((ROOT / STATE).read_text(encoding="utf-8"))
    values = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for value in ast.walk(node.value):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    values.add(value.value)
    return values


def test_ui_state_names_the_keys_the_other_modules_use():
    assert {"pick.source", "pick.upload", "runs", "job"} <= state_key_values()


@pytest.mark.parametrize("path", [path for path in source_files() if path != STATE])
def test_no_module_but_ui_state_spells_a_session_key(path):
    source = (ROOT / path).read_text(encoding="utf-8")
    spelled = spelled_keys(source, state_key_values())
    assert not spelled, f"{path}: name these keys in {STATE} and use the names: {spelled}"


@pytest.mark.parametrize(
    "line",
    [
        'st.session_state["pick.upload"]',
        'st.session_state.get("pick.upload")',
        'st.session_state.setdefault(f"picks.{name}", {})',
        '"lesson" in st.session_state',
        'state.set_pick("pick.source", "sample")',
        'state.picked(f"pick.{kind}.gaps", "interpolate")',
        'remembered(f"clean.group.{name}", ALL)',
        'remember("pick.seed")',
        'st.file_uploader("File", key="pick.upload")',
    ],
)
def test_a_key_written_out_is_caught(line):
    assert spelled_keys(line, {"pick.upload"})


@pytest.mark.parametrize(
    "line",
    [
        "st.session_state[state.SERIES]",
        "st.session_state.get(state.UPLOAD_PICK)",
        "state.set_pick(state.signal_key(kind, 'gaps'), value)",
        'remembered(state.cleaning_key("group", name), ALL)',
        'st.button("Stop", key="train-stop")',
        'text("pick.source")',
    ],
)
def test_a_key_by_its_name_or_a_button_key_nothing_reads_passes(line):
    assert not spelled_keys(line, {"pick.upload"})


def test_the_scan_reads_the_pages_and_ui_modules():
    files = set(source_files())
    assert {"app.py", "app_pages/data.py", "ui/pickers.py", "ui/share.py"} <= files
    assert Path(ROOT / STATE).exists()
