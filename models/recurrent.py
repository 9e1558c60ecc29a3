"""One recurrent forecaster for three cells, with a head that predicts a horizon at once."""

from __future__ import annotations

import torch
from torch import nn

from models.kinds import CELLS as CELL_NAMES
from models.kinds import RESIDUALS
from models.parallel import side_by_side, worth_sharing

CELLS: dict[str, type[nn.RNNBase]] = dict(zip(CELL_NAMES, (nn.LSTM, nn.GRU, nn.RNN), strict=True))


class RecurrentForecaster(nn.Module):
    """Reads a window (batch, window, features) and returns the next `horizon` values.

    With `window_scale` each window is also divided by its mean absolute step, and the
    correction multiplied back, so windows at any level and amplitude look alike.
    With `residual="last"` the network sees the window relative to its last value and learns
    what to add to it; with "seasonal" it learns what to add to the window's last season
    repeated. Either way an untrained head already gives the naive forecast.
    With `linear_window` (the window's length) a linear map of the same shifted, scaled window
    is added to the correction, as in LSTNet's autoregressive part: it can weigh past seasons
    or the last value directly, which the recurrent layers learn slowly. It starts at zero.
    With `pool` above 1 the recurrent layers read the window averaged over chunks of `pool`
    steps, the last chunk ending at the last step and the first holding what is left (the
    oldest `window % pool` steps): a long window costs them as few steps as a short one.
    With `series` (how many series, the size of each one's vector) the window's last feature is
    the index of the series it comes from, and the recurrent layers read that series' learned
    vector beside the other inputs at every step: one network for a panel can tell its series
    apart.
    """

    def __init__(
        self,
        cell: str = "lstm",
        input_size: int = 1,
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        horizon: int = 1,
        residual: str = "last",
        season_length: int = 1,
        window_scale: bool = False,
        linear_window: int = 0,
        pool: int = 1,
        series: tuple[int, int] = (0, 0),
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        for name, value in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
            ("horizon", horizon),
            ("season_length", season_length),
            ("pool", pool),
        ):
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if residual not in RESIDUALS:
            raise ValueError(f"residual must be one of {RESIDUALS}, got {residual!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.cell = cell
        self.horizon = horizon
        self.residual = residual
        self.season_length = season_length
        self.window_scale = window_scale
        self.pool = pool
        self.series = nn.Embedding(*series) if min(series) > 0 else None
        self.rnn = CELLS[cell](
            input_size + (series[1] if self.series is not None else 0),
            hidden_size,
            num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.head = nn.Linear(hidden_size, horizon)
        self.linear = None
        if linear_window and residual != "none":
            self.linear = nn.Linear(linear_window, horizon, bias=False)
            nn.init.zeros_(self.linear.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        inputs, spread = self._prepared(x)
        outputs, _ = self.rnn(self._pooled(inputs))  # (batch, steps, hidden)
        correction = self.head(outputs[:, -1])  # (batch, horizon)
        if self.residual == "none":
            return correction
        if self.linear is not None:
            correction = correction + self.linear(inputs[..., 0])
        if spread is not None:
            correction = correction * spread[:, :, 0]
        return correction + self._base(x[..., 0])

    def rnn_input(self, x: torch.Tensor) -> torch.Tensor:
        """What `rnn` reads for windows x (batch, window, features), the way `forward` feeds it:
        (batch, steps, features), steps = ceil(window / pool)."""
        return self._pooled(self._prepared(x)[0])

    def rnn_steps(self, window: int) -> int:
        """How many steps the recurrent layers take over a window of `window` steps."""
        return -(-window // self.pool)

    def worth_sharing(self, x: torch.Tensor) -> bool:
        """Whether a pass of windows x (batch, window, features) is long enough for ensemble
        members to gain from running side by side (models.parallel)."""
        steps = self.rnn_steps(x.shape[1])
        return worth_sharing(x.shape[0], steps, self.rnn.hidden_size, self.rnn.num_layers)

    def _pooled(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.pool == 1:
            return inputs
        batch, window, features = inputs.shape
        whole, rest = divmod(window, self.pool)
        chunks = inputs[:, rest:].reshape(batch, whole, self.pool, features).mean(dim=2)
        if not rest:
            return chunks
        return torch.cat([inputs[:, :rest].mean(dim=1, keepdim=True), chunks], dim=1)

    def _prepared(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The recurrent layers' input (batch, window, features), and the spread it was divided
        by (batch, 1, 1), None when windows are not scaled."""
        if self.series is None:
            return self._shifted(x)
        vectors = self.series(x[:, -1, -1].round().long())  # (batch, size): one series a window
        inputs, spread = self._shifted(x[..., :-1])
        return torch.cat([inputs, vectors[:, None].expand(-1, x.shape[1], -1)], dim=-1), spread

    def _shifted(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.residual == "none":
            return x, None
        shifted = x[..., :1] - x[:, -1:, :1]  # relative to the last value
        spread = self._spread(x[..., 0]) if self.window_scale else None
        if spread is not None:
            shifted = shifted / spread
        if x.shape[-1] > 1:
            shifted = torch.cat([shifted, x[..., 1:]], dim=-1)
        return shifted, spread

    def _spread(self, target: torch.Tensor) -> torch.Tensor:
        """The window's own scale (batch, 1, 1): its mean absolute step, never below 1e-3."""
        steps = (target[:, 1:] - target[:, :-1]).abs().mean(dim=1)
        return steps.clamp_min(1e-3)[:, None, None]

    def _base(self, target: torch.Tensor) -> torch.Tensor:
        """The forecast the network corrects: (batch, window) -> (batch, horizon)."""
        season = self.season_length
        if self.residual == "last" or season <= 1 or season > target.shape[1]:
            return target[:, -1:].expand(-1, self.horizon)
        repeats = -(-self.horizon // season)
        return target[:, -season:].repeat(1, repeats)[:, : self.horizon]


class Ensemble(nn.Module):
    """Several forecasters trained side by side from different starting weights.

    The forecast is their median at every step (the mean of the two middle ones for an even
    count), which is steadier than any one member on short, noisy series.
    """

    def __init__(self, members: list[RecurrentForecaster]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return member_outputs(self, x).quantile(0.5, dim=0)


def member_outputs(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """(members, batch, horizon) for an ensemble; (1, batch, horizon) for a single model.

    In eval mode on CPU, on inputs large enough to gain, the members run side by side
    (models.parallel); a training pass may draw dropout masks, whose order must not depend on
    which thread is first.
    """
    if not isinstance(model, Ensemble):
        return model(x).unsqueeze(0)
    if model.training or x.device.type != "cpu" or not model.members[0].worth_sharing(x):
        return torch.stack([member(x) for member in model.members])
    return torch.stack(side_by_side(lambda member: member(x), list(model.members)))


def members_of(model: nn.Module) -> list[RecurrentForecaster]:
    """The forecasters inside a model: an ensemble's members, or the model itself."""
    return list(model.members) if isinstance(model, Ensemble) else [model]


def roll_forward(model: RecurrentForecaster, x: torch.Tensor, steps: int) -> torch.Tensor:
    """Recursive forecasting: predict one step, append it to the window, repeat `steps` times."""
    window = x
    predictions = []
    for _ in range(steps):
        step = model(window)[:, :1]  # (batch, 1)
        predictions.append(step)
        window = torch.cat([window[:, 1:], step.unsqueeze(-1)], dim=1)
    return torch.cat(predictions, dim=1)  # (batch, steps)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
