"""forecasting.workspace: a panel run's file travels in the export zip beside its run, is judged
on import like the run's other files, counts against the quota, and is kept all or nothing."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import pytest

import forecasting.workspace as workspace
from data.panel import read_wide
from forecasting.limits import MIB, ServerLimits
from forecasting.panel_result import panel_result, result_from_bytes, result_to_bytes
from forecasting.panel_train import fit_panel, score_panel
from forecasting.workspace import WorkspaceError
from tests.test_panel_train import TINY, sine, wide
from tests.test_workspace import files_in, open_at, rezipped


@pytest.fixture(scope="module")
def trained_panel():
    """A tiny panel's first series' run and series, its other series' run, and its result."""
    panel = read_wide(wide(small=sine(), large=sine(1000.0, seed=1)))
    fitted = fit_panel(panel, TINY.with_changes(epochs=1))
    result = panel_result(fitted, panel, score_panel(fitted, panel, "test"), (0.8,))
    first, other = result.labels
    kept = (fitted.members[first], panel.series[first])
    return kept, (fitted.members[other], panel.series[other]), result


@pytest.fixture
def panel_export(tmp_path, trained_panel) -> tuple[bytes, list, bytes]:
    """An export of a panel run (its file beside it) and a run of one series; its runs; the
    panel file's bytes."""
    (run, series), (single, single_series), result = trained_panel
    raw_panel = result_to_bytes(result)
    store = open_at(tmp_path / "source")
    key = store.new_workspace()
    stored = store.add_run(key, "LSTM panel #1", "sales", run, series, mase=0.7)
    store.add_panel(key, stored.id, raw_panel)
    store.add_run(key, "LSTM #2", "sales", single, single_series, mase=None)
    exported = store.export_zip(key), store.runs(key), raw_panel
    store.close()
    return exported


def manifest_of(raw: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return json.loads(archive.read("manifest.json"))


def test_a_panel_runs_file_comes_back_byte_for_byte_in_another_workspace(tmp_path, panel_export):
    raw, originals, raw_panel = panel_export
    manifest = manifest_of(raw)
    assert manifest["schema_version"] == workspace.EXPORT_VERSION == 2
    assert manifest["runs"][0]["panel"] == "runs/1.panel.zip"
    assert "panel" not in manifest["runs"][1]

    elsewhere = open_at(tmp_path / "other server")
    key = elsewhere.new_workspace()
    imported = elsewhere.import_zip(key, raw, ServerLimits())
    assert [stored.panel for stored in imported] == [True, False]
    assert elsewhere.runs(key) == imported
    assert [stored.size for stored in imported] == [stored.size for stored in originals]
    assert elsewhere.panel(key, imported[0].id) == raw_panel
    assert elsewhere.panel(key, imported[1].id) is None
    assert result_from_bytes(elsewhere.panel(key, imported[0].id)).labels == ["small", "large"]
    assert elsewhere.usage(key) == sum(stored.size for stored in originals) + len(raw_panel)
    elsewhere.delete_run(key, imported[0].id)
    assert elsewhere.usage(key) == imported[1].size
    elsewhere.close()


def test_an_export_without_panel_files_stays_readable_by_older_servers(tmp_path, trained_panel):
    (run, series), _, _ = trained_panel
    store = open_at(tmp_path)
    key = store.new_workspace()
    store.add_run(key, "LSTM #1", "sales", run, series, mase=0.7)
    manifest = manifest_of(store.export_zip(key))
    assert manifest["schema_version"] == 1
    assert set(manifest["runs"][0]) == set(workspace.REQUIRED)
    store.close()


def older_style(document: dict) -> None:
    """The manifest as a version 1 export writes it: no run names a panel file."""
    document["schema_version"] = 1
    for entry in document["runs"]:
        entry.pop("panel", None)


def test_an_older_export_without_the_panel_key_imports_as_runs_of_one_series(
    tmp_path, panel_export
):
    raw, originals, _ = panel_export
    older = rezipped(raw, drop=("runs/1.panel.zip",), manifest=older_style)
    store = open_at(tmp_path)
    key = store.new_workspace()
    imported = store.import_zip(key, older, ServerLimits())
    assert [stored.name for stored in imported] == [stored.name for stored in originals]
    assert [stored.panel for stored in imported] == [False, False]
    assert store.panel(key, imported[0].id) is None
    assert store.usage(key) == sum(stored.size for stored in originals)
    store.close()


def of_other_series(trained_panel) -> bytes:
    """A sound panel file that holds only the panel's second series."""
    result = trained_panel[2]
    other = result.labels[1]
    only = {"series": {other: result.series[other]}, "views": {other: result.views[other]},
            "ids": {other: result.ids[other]}}  # fmt: skip
    return result_to_bytes(replace(result, **only))


def without_panel_key(document: dict) -> None:
    del document["runs"][0]["panel"]


def panel_named(name: str):
    def change(document: dict) -> None:
        document["runs"][0]["panel"] = name

    return change


PANEL_CRAFTED = {
    "a truncated panel file": (
        lambda raw, _: rezipped(raw, replace={"runs/1.panel.zip": _read(raw)[:200]}),
        "'runs/1.panel.zip' is damaged or is not a panel file",
    ),
    "a series in place of the panel file": (
        lambda raw, _: rezipped(raw, replace={"runs/1.panel.zip": _read(raw, "runs/1.npz")}),
        "'runs/1.panel.zip' is damaged or is not a panel file",
    ),
    "a panel file of other series": (
        lambda raw, trained: rezipped(raw, replace={"runs/1.panel.zip": of_other_series(trained)}),
        "'runs/1.panel.zip' does not hold runs/1.npz's series",
    ),
    "a panel file the manifest does not list": (
        lambda raw, _: rezipped(raw, manifest=without_panel_key),
        "does not list 'runs/1.panel.zip'",
    ),
    "a manifest listing a missing panel file": (
        lambda raw, _: rezipped(raw, drop=("runs/1.panel.zip",)),
        "lists 'runs/1.panel.zip', which the file lacks",
    ),
    "a panel key naming a checkpoint": (
        lambda raw, _: rezipped(raw, manifest=panel_named("runs/1.pt")),
        "run 1's panel is not valid",
    ),
    "a panel file outside the runs": (
        lambda raw, _: rezipped(raw, extra={"panels/1.panel.zip": b"x"}),
        "'panels/1.panel.zip', which is not one of an export's files",
    ),
}


def _read(raw: bytes, name: str = "runs/1.panel.zip") -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return archive.read(name)


@pytest.mark.parametrize(("craft", "says"), PANEL_CRAFTED.values(), ids=PANEL_CRAFTED.keys())
def test_a_crafted_panel_member_refuses_the_whole_import_naming_it(
    tmp_path, panel_export, trained_panel, craft, says
):
    raw = craft(panel_export[0], trained_panel)
    store = open_at(tmp_path)
    key = store.new_workspace()
    with pytest.raises(WorkspaceError) as caught:
        store.import_zip(key, raw, ServerLimits(checkpoint_bytes=MIB))
    assert says in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert store.runs(key) == [] and store.usage(key) == 0
    assert files_in(tmp_path / "files") == []
    store.close()


def test_the_panel_member_counts_against_the_quota(tmp_path, panel_export):
    raw, originals, raw_panel = panel_export
    needed = sum(stored.size for stored in originals) + len(raw_panel)
    short = open_at(tmp_path / "short", quota=needed - 1)
    key = short.new_workspace()
    with pytest.raises(WorkspaceError, match=r"Delete runs on the Train page.*Nothing was"):
        short.import_zip(key, raw, ServerLimits())
    assert short.runs(key) == [] and short.usage(key) == 0
    assert files_in(tmp_path / "short" / "files") == []
    short.close()

    exact = open_at(tmp_path / "exact", quota=needed)
    key = exact.new_workspace()
    assert len(exact.import_zip(key, raw, ServerLimits())) == 2
    assert exact.usage(key) == needed
    exact.close()


def test_a_panel_file_that_cannot_be_written_leaves_nothing_behind(
    tmp_path, panel_export, monkeypatch
):
    store = open_at(tmp_path)
    key = store.new_workspace()
    write = store._write

    def failing(folder: int, raw: bytes, suffix: str) -> str:
        if suffix == ".panel":
            raise OSError("disk full")
        return write(folder, raw, suffix)

    monkeypatch.setattr(store, "_write", failing)
    with pytest.raises(OSError, match="disk full"):
        store.import_zip(key, panel_export[0], ServerLimits())
    assert store.runs(key) == [] and store.usage(key) == 0
    assert [path.name for path in files_in(tmp_path / "files")] == []
    store.close()
