"""The benchmark scripts still run: a tiny pass of each, not their figures."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import torch

from data.prepare import from_array
from forecasting.train import build_model
from tests.conftest import ROOT, noisy_sine

TINY_ACCURACY = ("--no-anchors", "--cells", "lstm", "--set", "members=1")


def bench(script: str, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """bench/`script` run with `args` from the repository root, its output captured."""
    command = [sys.executable, f"bench/{script}", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def table_rows(done: subprocess.CompletedProcess, start: str = "| ") -> list[str]:
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line.startswith(start)]


def test_the_accuracy_benchmark_scores_our_model_and_seasonal_naive():
    done = bench(
        "accuracy.py", *TINY_ACCURACY, "--series", "shampoo,lake_huron", "--set", "epochs=2"
    )
    rows = table_rows(done)
    assert any(row.startswith("| shampoo | MS | 30 | 6 |") for row in rows)
    assert any(row.startswith("| lake_huron | YS-JAN | 92 | 6 |") for row in rows)
    summary = {row.split(" | ")[0][2:]: row for row in rows if "geo-mean" not in row}
    assert "seasonal naive" in summary and "our LSTM" in summary and "our LSTM alone" in summary
    beaten = [row for row in rows if row.startswith("| our LSTM alone | ")][-1]
    assert beaten.split(" | ")[1].split(":")[0].isdigit(), "how many series seasonal naive beat"


def test_the_accuracy_benchmark_scores_earlier_origins_while_three_quarters_of_history_last():
    args = ("--series", "shampoo", "--origins", "3", "--set", "epochs=1")
    rows = table_rows(bench("accuracy.py", *TINY_ACCURACY, *args), "| shampoo")
    assert [row.split(" | ")[2] for row in rows] == ["30", "24"]  # not 18: 60% of the history
    assert rows[1].startswith("| shampoo -1h | MS | 24 | 6 |")
    refused = bench("accuracy.py", "--origins", "2", timeout=60)
    assert refused.returncode == 2
    assert "--origins above 1 needs --no-anchors" in refused.stderr


def test_the_memory_benchmark_reads_every_row_of_its_csv_and_trains_on_both_series():
    done = bench("memory.py", "--points", "20000")
    rows = table_rows(done)
    assert rows[1].startswith("| built in memory | ")
    assert rows[2].startswith("| read from CSV (read_table ")
    assert "CSV: 20,000 rows" in done.stdout
    assert "csv: 20,000 points; report: [\"Using 'timestamp' as the date column" in done.stdout


def test_the_members_benchmark_times_both_ways_and_checks_they_learn_the_same():
    args = ("--series", "shampoo", "--cells", "gru", "--epochs", "1", "--repeat", "1")
    rows = table_rows(bench("members.py", *args), "| shampoo | gru | 3 |")
    assert rows and rows[-1].endswith("| True |")


def test_the_throughput_benchmark_s_fit_trains_the_bare_loop_s_network(monkeypatch):
    spec = importlib.util.spec_from_file_location("throughput", ROOT / "bench/throughput.py")
    throughput = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "throughput", throughput)  # dataclasses look it up
    spec.loader.exec_module(throughput)
    work = throughput.Workload(
        from_array(noisy_sine(500)), 64, 1, 256, 1, 0.05, torch.device("cpu")
    )
    setting = throughput.Setting("lstm", 16, 2)
    ours, bare = build_model(work.config(setting)), throughput.BareNet(setting, 1)
    assert (ours.pool, ours.linear, ours.residual) == (1, None, "none")
    assert [p.shape for p in ours.parameters()] == [p.shape for p in bare.parameters()]


def test_the_throughput_benchmark_counts_fewer_operations_a_step_for_fit_on_the_cpu():
    args = ("--device", "cpu", "--threads", "1", "--hidden", "8", "--layers", "1")
    done = bench("throughput.py", *args, "--points", "2000", "--repeat", "1", "--ops")
    row = table_rows(done, "| lstm 8x1 | CPU | ")[-1]
    bare, ours = (float(cell) for cell in row.strip("| ").split(" | ")[2:])
    assert 0 < ours < bare  # Adam's fused kernel: one operation a step instead of a few a tensor


def test_the_panel_benchmark_scores_the_global_network_beside_the_others_and_times_an_epoch():
    done = bench("panel.py", "--origins", "1", "--no-anchors", "--series", "4", "--length", "80")
    rows = table_rows(done)
    names = [row.split("|")[1].strip() for row in rows[1:4]]
    assert names == ["global", "per series", "seasonal naive"]
    scores = [float(row.split("|")[2]) for row in rows[1:4]]
    assert all(0 < score < 10 for score in scores), rows
    assert [row.split("|")[3].strip() for row in rows[1:4]] == ["11", "11", "11"]
    assert rows[-1].startswith("| 4 x 80 |") and float(rows[-1].split("|")[2]) > 0


def test_the_holiday_benchmark_scores_holidays_with_and_without_the_inputs():
    done = bench("holiday_inputs.py", "--series", "2", "--years", "2", "--epochs", "2")
    rows = table_rows(done)
    assert [row.split("|")[1].strip() for row in rows[1:5]] == [
        "holidays", "other days", "all days", "fit seconds"
    ]  # fmt: skip
    assert all(float(row.split("|")[2]) > 0 for row in rows[1:4])


def test_the_first_picture_benchmark_times_every_sample_and_a_signal():
    done = bench("first_picture.py", "--cells", "lstm", "--lengths", "300")
    rows = table_rows(done)
    assert any(row.startswith("| airline | 144 | ") for row in rows)
    assert any(row.startswith("| trend_season 300 | 300 | ") for row in rows)
    assert "slowest first picture: " in done.stdout


def test_the_startup_benchmark_times_each_command_and_names_what_it_loaded():
    rows = table_rows(bench("startup.py", "--repeat", "1"))
    inspect = next(row for row in rows if row.startswith("| `inspect"))
    assert inspect.endswith("| none |"), "inspect loads no heavy library"
    assert any(row.startswith("| `forecast --help` |") and "torch" in row for row in rows)
