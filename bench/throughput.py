"""Training throughput (windows/s) of fit() against a bare PyTorch loop of the same network.

Both train the same recurrent network (cell, hidden size, layers) with Adam and MSE on the same
number of windows per epoch, batch 256, on a noisy sine; fit() also runs with an on_epoch
callback that rebuilds a DataFrame of the history, as a page would. Repetitions are
interleaved (bare, fit, fit + callback, in a rotating order) and figures are medians.

Usage: .venv/bin/python bench/throughput.py [--device cpu|cuda|auto] [--repeat 5]
       [--cells lstm,gru] [--hidden 64,256] [--layers 2] [--precision fp32,mixed]
       [--points 20000] [--epochs 3] [--threads 1] [--ops] [--breakdown]
       [--val-share 0.05]

With --ops it also counts the operations torch dispatches per training step in each loop (on
CUDA about one kernel launch each, which small networks wait on), over one epoch, whole calls.
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import forecasting.train as train_module
from data.prepare import from_array
from data.series import Series
from forecasting.config import TrainConfig
from forecasting.device import choose_device, device_name
from forecasting.train import EpochLog, fit
from models.recurrent import CELLS

VARIANTS = ("bare", "fit", "fit+callback")


@dataclass(frozen=True)
class Setting:
    cell: str
    hidden_size: int
    num_layers: int
    precision: str = "fp32"

    @property
    def label(self) -> str:
        suffix = "" if self.precision == "fp32" else f" {self.precision}"
        return f"{self.cell} {self.hidden_size}x{self.num_layers}{suffix}"


@dataclass(frozen=True)
class Workload:
    """What every variant trains on: the series, the windows it yields, and the loop's sizes."""

    series: Series
    window: int
    horizon: int
    batch_size: int
    epochs: int
    val_share: float
    device: torch.device

    @property
    def train_end(self) -> int:
        return len(self.series) - round(len(self.series) * self.val_share)

    @property
    def train_windows(self) -> int:
        """Windows whose inputs and targets lie in the training part: what fit() trains on."""
        return self.train_end - self.window - self.horizon + 1

    def config(self, setting: Setting) -> TrainConfig:
        return TrainConfig(
            cell=setting.cell,
            hidden_size=setting.hidden_size,
            num_layers=setting.num_layers,
            window=self.window,
            horizon=self.horizon,
            batch_size=self.batch_size,
            epochs=self.epochs,
            patience=0,
            val_share=self.val_share,
            test_share=0.0,
            device=self.device.type,
            members=1,  # the bare loop's model: one network and its head, MSE, nothing else
            loss="mse",
            residual="none",
            window_scale=False,
            linear=False,
            pool=1,  # every step, as the bare loop's LSTM reads it
            precision=setting.precision,
        )


class BareNet(nn.Module):
    """The recurrent layers and a linear head on the last step, nothing else."""

    def __init__(self, setting: Setting, horizon: int) -> None:
        super().__init__()
        self.rnn = CELLS[setting.cell](1, setting.hidden_size, setting.num_layers, batch_first=True)
        self.head = nn.Linear(setting.hidden_size, horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.rnn(x)  # (batch, window, hidden)
        return self.head(outputs[:, -1])  # (batch, horizon)


def noisy_sine(points: int, period: int = 50, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = np.arange(points)
    return 10 + np.sin(2 * np.pi * steps / period) + 0.1 * rng.standard_normal(points)


def bare_tensors(work: Workload) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (n, window, 1) and targets (n, horizon) of the training windows, built once."""
    train = work.series.values[: work.train_end]
    scaled = (train - train.mean()) / train.std()
    frames = np.lib.stride_tricks.sliding_window_view(scaled, work.window + work.horizon)
    inputs = torch.tensor(frames[:, : work.window, None], dtype=torch.float32)
    targets = torch.tensor(frames[:, work.window :], dtype=torch.float32)
    assert len(inputs) == work.train_windows, (len(inputs), work.train_windows)
    return inputs.to(work.device), targets.to(work.device)


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_bare(work: Workload, setting: Setting, tensors: tuple[torch.Tensor, ...]) -> float:
    """Seconds for the bare loop: build the network, then train it for the epochs."""
    inputs, targets = tensors
    synchronize(work.device)
    started = time.perf_counter()
    torch.manual_seed(0)
    model = BareNet(setting, work.horizon).to(work.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    mixed = setting.precision == "mixed" and work.device.type == "cuda"
    scaler = torch.amp.GradScaler(work.device.type, enabled=mixed)
    for _ in range(work.epochs):
        model.train()
        order = torch.randperm(len(inputs), device=work.device)
        total = torch.zeros((), device=work.device)
        for start in range(0, len(order), work.batch_size):
            batch = order[start : start + work.batch_size]
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(work.device.type, torch.float16, enabled=mixed):
                outputs = model(inputs[batch])
            loss = nn.functional.mse_loss(outputs.float(), targets[batch])
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total += loss.detach() * len(batch)
        float(total)  # an epoch's loss is read, as any loop reports it
    synchronize(work.device)
    return time.perf_counter() - started


def history_table(seen: list[EpochLog]) -> Callable[[EpochLog], None]:
    """An on_epoch callback doing what a page does: keep the log, tabulate the history."""

    def on_epoch(log: EpochLog) -> None:
        seen.append(log)
        table = pd.DataFrame([asdict(entry) for entry in seen]).set_index("epoch")
        table["best_val_loss"] = table["val_loss"].cummin()

    return on_epoch


def time_fit(work: Workload, setting: Setting, with_callback: bool) -> float:
    """Seconds for the whole fit() call, its preparation (split, scaler, windows) included."""
    seen: list[EpochLog] = []
    on_epoch = history_table(seen) if with_callback else None
    synchronize(work.device)
    started = time.perf_counter()
    run = fit(work.series, work.config(setting), on_epoch=on_epoch)
    synchronize(work.device)
    seconds = time.perf_counter() - started
    fit_windows = run.train_end - work.window - work.horizon + 1
    assert fit_windows == work.train_windows, (fit_windows, work.train_windows)
    assert not with_callback or seen, "the callback was never called"
    return seconds


class OpCounter(TorchDispatchMode):
    """Counts the operations torch dispatches while it is entered."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def ops_per_step(work: Workload, setting: Setting, tensors: tuple[torch.Tensor, ...]) -> str:
    """A table row: operations per training step of the bare loop and of fit(), one epoch."""
    one_epoch = replace(work, epochs=1)
    steps = math.ceil(work.train_windows / work.batch_size)
    counts = []
    for action in (
        lambda: time_bare(one_epoch, setting, tensors),
        lambda: time_fit(one_epoch, setting, with_callback=False),
    ):
        with OpCounter() as counter:
            action()
        counts.append(counter.count / steps)
    return f"| {setting.label} | {device_name(work.device)} | {counts[0]:.1f} | {counts[1]:.1f} |"


def breakdown(work: Workload, setting: Setting, repeat: int) -> str:
    """A table row: where fit()'s time goes (medians over `repeat` calls after a warm-up): set-up
    (before the first training batch), train steps, validation passes, and the end (after the
    last validation pass: best weights restored, the guard's comparison with baselines)."""
    spent: dict[str, float] = {}

    def timed(name: str, original: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            if "first" not in spent:
                spent["first"] = time.perf_counter()
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                synchronize(work.device)
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - began
                spent["last"] = time.perf_counter()

        return wrapper

    originals = {"train": train_module._train_epoch, "validation": train_module._loss}
    rows = []
    try:
        train_module._train_epoch = timed("train", originals["train"])
        train_module._loss = timed("validation", originals["validation"])
        for rep in range(repeat + 1):
            spent.clear()
            started = time.perf_counter()
            fit(work.series, work.config(setting))
            ended = time.perf_counter()
            if rep:  # the first is a warm-up
                setup = spent["first"] - started
                rows.append((ended - started, setup, spent["train"], spent["validation"],
                             ended - spent["last"]))  # fmt: skip
    finally:
        train_module._train_epoch = originals["train"]
        train_module._loss = originals["validation"]
    total, *parts = (statistics.median(column) for column in zip(*rows, strict=True))
    shares = " | ".join(f"{100 * part / total:.1f}" for part in parts)
    return f"| {setting.label} | {total:.2f} | {shares} |"


def measure(work: Workload, setting: Setting, repeat: int) -> dict[str, list[float]]:
    """Seconds per variant and repetition, after one untimed warm-up of each."""
    tensors = bare_tensors(work)
    actions = {
        "bare": lambda: time_bare(work, setting, tensors),
        "fit": lambda: time_fit(work, setting, with_callback=False),
        "fit+callback": lambda: time_fit(work, setting, with_callback=True),
    }
    for action in actions.values():
        action()
    seconds: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for rep in range(repeat):
        for name in VARIANTS[rep % 3 :] + VARIANTS[: rep % 3]:
            seconds[name].append(actions[name]())
            print(f"  {setting.label} rep {rep + 1}: {name} {seconds[name][-1]:.2f} s", flush=True)
    return seconds


def table_row(work: Workload, setting: Setting, seconds: dict[str, list[float]]) -> str:
    windows = work.train_windows * work.epochs
    bare, plain = statistics.median(seconds["bare"]), statistics.median(seconds["fit"])
    paired = zip(seconds["fit+callback"], seconds["fit"], strict=True)
    costs = [100 * (with_callback / without - 1) for with_callback, without in paired]
    return (
        f"| {setting.label} | {device_name(work.device)} | {windows / bare:,.0f} "
        f"| {windows / plain:,.0f} | {bare / plain:.2f} | {statistics.median(costs):+.1f} "
        f"({min(costs):+.1f} to {max(costs):+.1f}) |"
    )


def int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cell", choices=tuple(CELLS), default="lstm")
    parser.add_argument("--cells", help="several cells, e.g. lstm,gru (overrides --cell)")
    parser.add_argument("--hidden", type=int_list, default=[64], help="e.g. 64 or 64,256")
    parser.add_argument("--layers", type=int_list, default=[2], help="e.g. 2 or 1,2")
    parser.add_argument(
        "--precision",
        default="fp32",
        help="fp32, mixed or both (float16 autocast and gradient scaling, CUDA only)",
    )
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--horizon", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--val-share", type=float, default=0.05,
                        help="the part fit() validates on each epoch (app: 0.15)")  # fmt: skip
    parser.add_argument("--threads", type=int, default=0, help="torch threads; 0: torch's own")
    parser.add_argument("--ops", action="store_true", help="also count operations per step")
    parser.add_argument("--breakdown", action="store_true",
                        help="where fit()'s time goes: set-up, steps, validation, end")  # fmt: skip
    args = parser.parse_args()
    args.cells = args.cells.split(",") if args.cells else [args.cell]
    args.precision = args.precision.split(",")
    if set(args.precision) - {"fp32", "mixed"}:
        parser.error(f"--precision must be fp32, mixed or fp32,mixed; got {args.precision}")
    unknown = [cell for cell in args.cells if cell not in CELLS]
    if unknown:
        parser.error(f"--cells must name cells among {', '.join(CELLS)}; got {unknown}")
    for name in ("repeat", "points", "epochs", "window", "horizon", "batch_size"):
        value = getattr(args, name)
        if value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1; got {value}")
    if not args.hidden or not args.layers or min(args.hidden + args.layers) < 1:
        parser.error(f"--hidden and --layers must be positive; got {args.hidden}, {args.layers}")
    return args


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = choose_device(args.device)
    work = Workload(
        from_array(noisy_sine(args.points), target="sine"),
        args.window,
        args.horizon,
        args.batch_size,
        args.epochs,
        val_share=args.val_share,
        device=device,
    )
    settings = [
        Setting(cell, hidden, layers, precision)
        for cell, hidden, layers, precision in itertools.product(
            args.cells, args.hidden, args.layers, args.precision
        )
    ]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {device_name(device)}")
    print(
        f"{args.points:,} points, window {args.window}, horizon {args.horizon}, batch "
        f"{args.batch_size}, {work.train_windows:,} training windows x {args.epochs} epochs, "
        f"median of {args.repeat}",
        flush=True,
    )
    rows = [table_row(work, s, measure(work, s, args.repeat)) for s in settings]
    print()
    print(
        "| setting | device | windows/s bare | windows/s fit | ratio fit/bare "
        "| callback cost % (range) |"
    )
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    if args.ops:
        print()
        print("| setting | device | operations a step, bare | operations a step, fit |")
        print("|---|---|---|---|")
        for setting in settings:
            print(ops_per_step(work, setting, bare_tensors(work)), flush=True)
    if args.breakdown:
        print()
        print("| setting | fit s | set-up % | train steps % | validation % | end % |")
        print("|---|---|---|---|---|---|")
        for setting in settings:
            print(breakdown(work, setting, args.repeat), flush=True)


if __name__ == "__main__":
    main()
