"""The benchmark scripts still run: a tiny pass of each, not their figures."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_accuracy_benchmark_scores_our_model_and_seasonal_naive():
    command = [
        sys.executable,
        "bench/accuracy.py",
        "--no-anchors",
        "--cells",
        "lstm",
        "--series",
        "shampoo,lake_huron",
        "--set",
        "epochs=2",
        "--set",
        "members=1",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert any(row.startswith("| shampoo | MS | 30 | 6 |") for row in rows)
    assert any(row.startswith("| lake_huron | YS-JAN | 92 | 6 |") for row in rows)
    summary = {row.split(" | ")[0][2:]: row for row in rows if "geo-mean" not in row}
    assert "seasonal naive" in summary and "our LSTM" in summary


def test_the_accuracy_benchmark_scores_earlier_origins_while_three_quarters_of_history_last():
    command = [
        sys.executable,
        "bench/accuracy.py",
        "--no-anchors",
        "--cells",
        "lstm",
        "--series",
        "shampoo",
        "--origins",
        "3",
        "--set",
        "epochs=1",
        "--set",
        "members=1",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| shampoo")]
    assert [row.split(" | ")[2] for row in rows] == ["30", "24"]  # not 18: 60% of the history
    assert rows[1].startswith("| shampoo -1h | MS | 24 | 6 |")
    refused = subprocess.run(
        [sys.executable, "bench/accuracy.py", "--origins", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "--origins above 1 needs --no-anchors" in refused.stderr


def test_the_memory_benchmark_reads_every_row_of_its_csv_and_trains_on_both_series():
    command = [sys.executable, "bench/memory.py", "--points", "20000"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows[1].startswith("| built in memory | ")
    assert rows[2].startswith("| read from CSV (read_table ")
    assert "CSV: 20,000 rows" in done.stdout
    assert "csv: 20,000 points; report: [\"Using 'timestamp' as the date column" in done.stdout


def test_the_members_benchmark_times_both_ways_and_checks_they_learn_the_same():
    command = [
        sys.executable,
        "bench/members.py",
        "--series",
        "shampoo",
        "--cells",
        "gru",
        "--epochs",
        "1",
        "--repeat",
        "1",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| shampoo | gru | 3 |")]
    assert rows and rows[-1].endswith("| True |")
