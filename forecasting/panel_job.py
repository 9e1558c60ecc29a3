"""A panel's training in the background, as a TrainingJob: one network on every series, kept in
the workspace as the run of its first series with the panel's file beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from data.panel import Panel
from forecasting.job import USER_ERRORS, TrainingJob, unexpected
from forecasting.panel_forecast import PART
from forecasting.panel_result import PanelResult, panel_result, result_to_bytes
from forecasting.panel_train import PanelRun, fit_panel, score_panel
from forecasting.predict import DEFAULT_LEVELS
from forecasting.summary import summarize
from forecasting.train import Run


@dataclass
class PanelJob(TrainingJob):
    """fit_panel in its own thread; `series` becomes the first series trained on, `result`
    every series' scores and forecasts."""

    panel: Panel | None = None
    levels: Sequence[float] = tuple(DEFAULT_LEVELS)
    trained: PanelRun | None = field(default=None, repr=False)
    result: PanelResult | None = field(default=None, repr=False)
    _file: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.panel is None or not self.panel.series:
            raise ValueError("a panel job needs a panel of at least one series")

    @property
    def stem(self) -> str:
        return f"{self.config.cell.upper()} panel"

    @property
    def points(self) -> int:
        """Points across every series, for the server's limits."""
        return sum(len(one) for one in self.panel.series.values())

    def _fit(self) -> Run:
        self.trained = fit_panel(self.panel, self.config, should_stop=self._stop.is_set,
                                 history=self.history)  # fmt: skip
        first = next(iter(self.trained.members))
        self.series = self.panel.series[first]
        return self.trained.members[first]

    def _summarize(self) -> None:
        # Stop during training ends the epochs and still scores every series; Stop pressed
        # while they are scored ends the scoring, and the page shows the series scored by then
        should_stop = None if self.stopping else self._stop.is_set
        try:
            part = PART[self.config.test_share > 0]
            scores = score_panel(self.trained, self.panel, part, should_stop)
            self.result = panel_result(self.trained, self.panel, scores, self.levels)
            first = self.result.labels[0]  # kept as the first series scored: a page can draw it
            self.series, self.run = self.panel.series[first], self.trained.members[first]
            self._file = result_to_bytes(self.result)
            self.summary = summarize(self.run, self.series, "", self.dataset, self.levels)
        except USER_ERRORS as err:
            self.forecast_error = str(err)
        except Exception as err:  # a bug or the machine: still say what happened
            self.forecast_error = unexpected(err, "the forecast")

    def kept_beside(self) -> bytes | None:
        return self._file
