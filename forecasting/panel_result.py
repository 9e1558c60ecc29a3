"""What a panel run leaves beside its stored run: every series, each one's scaling and parts,
scores and verdict, the panel's aggregate and every forecast as one CSV; kept as a zip of JSON,
CSV and .npz files (no pickle), from which any series' view of the shared network is rebuilt.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd

from data.errors import DataError
from data.export import safe_csv
from data.panel import Panel
from data.series import Series
from data.series_file import series_from_bytes, series_to_bytes
from data.windows import scaler_to_dict
from forecasting.panel_forecast import forecast_frame
from forecasting.panel_train import PanelRun, PanelScores
from forecasting.persist import (
    checked_blend,
    checked_covariate_scaler,
    checked_scaler,
    checked_series_index,
    covariate_scaler_to_dict,
)
from forecasting.train import Run
from models.checkpoint import CheckpointError

FORMAT = "forecast-lab-panel"
VERSION = 1
META, CSV = "panel.json", "forecast.csv"
MOST_BYTES = 512 * 1024 * 1024  # what the members of a kept file may expand to, in all


@dataclass(frozen=True)
class View:
    """One series' view of the shared network: its scaling and where its parts end."""

    scaler: dict[str, Any]
    covariates: dict[str, list[float]] | None
    train_end: int
    val_end: int
    blend: dict[str, Any] | None = None  # the series' blend with a baseline (forecasting.guard)
    series_index: int | None = None  # its row in the network's embedding (config.embedded)


@dataclass
class PanelResult:
    """A finished panel run: every series, its view of the network, scores and forecasts."""

    series: dict[str, Series]  # label -> the series as trained on (with any calendar inputs)
    id_cols: tuple[str, ...]
    ids: dict[str, tuple[str, ...]]
    views: dict[str, View]  # the series trained on
    table: pd.DataFrame  # one row per scored series: ids, points, MASE, baseline, verdict
    aggregate: dict[str, Any]  # geometric-mean MASE and total error, model and baselines
    left_out: dict[str, str]  # label -> why it was not trained on or not scored
    report: list[str]
    forecast_csv: str  # every series' forecast, id columns first

    @property
    def labels(self) -> list[str]:
        """The series a page can show: those trained on and scored, in the file's order."""
        scored = set(self.table["label"]) if len(self.table) else set()
        return [label for label in self.views if label in scored]

    def member(self, run: Run, label: str) -> tuple[Run, Series]:
        """The network of `run` (any series' view of it) seen through `label`'s view."""
        view, one = self.views[label], self.series[label]
        covariate_scaler = checked_covariate_scaler(view.covariates, run.config)
        index = checked_series_index(view.series_index, run.config)
        scaled = replace(run, scaler=checked_scaler(view.scaler), train_end=view.train_end,
                         val_end=view.val_end, fingerprint=one.fingerprint(),
                         covariate_scaler=covariate_scaler, blend=checked_blend(view.blend),
                         series_index=index)  # fmt: skip
        return scaled, one


def panel_result(
    trained: PanelRun, panel: Panel, scores: PanelScores, levels: Sequence[float]
) -> PanelResult:
    """Everything a page shows of a panel run, from the trained network and its scores."""
    views = {label: _view(member) for label, member in trained.members.items()}
    names = panel.id_cols or ("series",)
    return PanelResult(
        series=dict(panel.series),
        id_cols=tuple(names),
        ids={label: tuple(panel.ids[label]) for label in panel.series},
        views=views,
        table=score_table(scores, panel, names),
        aggregate={
            "series_scored": len(scores.series),
            "geometric_mean_mase": scores.geometric_mase,
            "total_absolute_error": scores.total_error,
        },
        left_out={**panel.left_out, **trained.left_out, **scores.unscored},
        report=list(panel.report),
        forecast_csv=safe_csv(forecast_frame(trained, panel, levels)),
    )


def _view(member: Run) -> View:
    covariates = covariate_scaler_to_dict(member.covariate_scaler)
    blend = None if member.blend is None else asdict(member.blend)
    return View(scaler_to_dict(member.scaler), covariates, member.train_end, member.val_end, blend,
                member.series_index)  # fmt: skip


def score_table(scores: PanelScores, panel: Panel, names: Sequence[str]) -> pd.DataFrame:
    """One row per scored series: its ids, length, the model's and the best baseline's score,
    and the verdict's outcome (better, on par, worse)."""
    rows = []
    for label, verdict in scores.verdicts.items():
        row: dict[str, Any] = dict(zip(names, panel.ids[label], strict=True))
        row |= {"label": label, "points": len(panel.series[label]), "metric": verdict.metric,
                "model": verdict.model_score, "baseline": verdict.baseline,
                "baseline_score": verdict.baseline_score, "improvement": verdict.improvement,
                "verdict": verdict.outcome or ""}  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


def result_to_bytes(result: PanelResult) -> bytes:
    """The result as a zip: panel.json, forecast.csv, and each series as series/<n>.npz."""
    labels = list(result.series)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "labels": labels,
        "id_cols": list(result.id_cols),
        "ids": [list(result.ids[label]) for label in labels],
        "views": {label: view.__dict__ for label, view in result.views.items()},
        "table": json.loads(result.table.to_json(orient="split", index=False)),
        "aggregate": result.aggregate,
        "left_out": result.left_out,
        "report": result.report,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(META, json.dumps(meta, allow_nan=True))
        archive.writestr(CSV, result.forecast_csv)
        for number, label in enumerate(labels):
            archive.writestr(f"series/{number}.npz", series_to_bytes(result.series[label]))
    return buffer.getvalue()


def result_from_bytes(raw: bytes) -> PanelResult | None:
    """The result kept in `raw`; None when the file is damaged or not a panel file."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MOST_BYTES:
                return None
            meta = json.loads(archive.read(META))
            if meta.get("format") != FORMAT or meta.get("version") != VERSION:
                return None
            labels = meta["labels"]
            series = {label: series_from_bytes(archive.read(f"series/{number}.npz"))
                      for number, label in enumerate(labels)}  # fmt: skip
            forecast_csv = archive.read(CSV).decode()
        table = meta["table"]
        views = {label: View(**view) for label, view in meta["views"].items()}
        for view in views.values():  # a file with a damaged view is not trusted at all
            checked_scaler(view.scaler)
            checked_blend(view.blend)
            if not (type(view.train_end) is int and type(view.val_end) is int
                    and 0 < view.train_end <= view.val_end):  # fmt: skip
                return None
            if view.series_index is not None and not (
                type(view.series_index) is int and view.series_index >= 0
            ):
                return None
        return PanelResult(
            series=series,
            id_cols=tuple(meta["id_cols"]),
            ids={label: tuple(ids) for label, ids in zip(labels, meta["ids"], strict=True)},
            views=views,
            table=pd.DataFrame(table["data"], columns=table["columns"]),
            aggregate=meta["aggregate"],
            left_out=dict(meta["left_out"]),
            report=list(meta["report"]),
            forecast_csv=forecast_csv,
        )
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError, DataError,
            CheckpointError, NotImplementedError, zlib.error, zipfile.BadZipFile):  # fmt: skip
        return None


def sorted_labels(result: PanelResult) -> list[str]:
    """The series scored, worst model score first, as the score table shows them."""
    return worst_first(result.table)["label"].tolist()


def worst_first(table: pd.DataFrame) -> pd.DataFrame:
    """The score table, worst model score first (ties in the file's order)."""
    return table.sort_values("model", ascending=False, kind="stable")
