"""Two workers on one PostgreSQL study: together they finish every trial, none lost, none twice.

The session starts a throwaway PostgreSQL on loopback (tests/postgres.py); `make test` installs
PostgreSQL when it is missing. Without it these tests fail, saying why, unless
NO_POSTGRES_TESTS=1 asks to skip them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import sqlalchemy
from sqlalchemy.engine import make_url

from forecasting.tune import TuneError, connection, find_study, open_study
from forecasting.tune_defaults import find_visitor_study, open_visitor_study
from tests.conftest import ROOT, SAMPLES
from tests.test_cli import run_cli


def tune_worker(storage: str, study: str, trials: int) -> subprocess.Popen:
    data = str(SAMPLES / "airline.csv")
    options = ["--storage", storage, "--study", study, "--trials", str(trials), "--epochs", "3"]
    return subprocess.Popen(
        [sys.executable, "-m", "forecasting", "tune", data, *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},  # two workers on two cores
    )


def test_two_workers_on_one_postgres_study_finish_every_trial_once(postgres_url):
    workers = [tune_worker(postgres_url, "shared", 3) for _ in range(2)]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    ran = [
        sorted(int(number) for number in re.findall(r"^trial (\d+) ", out, re.MULTILINE))
        for out, _ in outputs
    ]
    assert [len(numbers) for numbers in ran] == [3, 3]
    assert sorted(ran[0] + ran[1]) == [0, 1, 2, 3, 4, 5]

    trials = open_study("shared", postgres_url).trials
    assert sorted(trial.number for trial in trials) == [0, 1, 2, 3, 4, 5]
    assert {trial.state.name for trial in trials} <= {"COMPLETE", "PRUNED"}
    drawn = {json.dumps(trial.params, sort_keys=True) for trial in trials}
    assert len(drawn) == 6, "two trials drew the same settings"


def test_a_postgres_study_is_continued_by_a_later_run(postgres_url, capsys):
    argv = ["tune", SAMPLES / "shampoo.csv", "--storage", postgres_url, "--study", "continued"]
    for expected in (["trial 0", "trial 1"], ["trial 2", "trial 3"]):
        code, out, err = run_cli(capsys, *argv, "--trials", 2, "--epochs", 2)
        assert code == 0, err
        assert [line[:7] for line in out.splitlines()[:2]] == expected
    assert json.loads(out[out.index("{") :])["trials"] == {"COMPLETE": 4}


def test_a_postgres_study_is_found_as_the_tune_page_looks_for_it(postgres_url):
    assert find_study("looked-up", postgres_url) is None  # absent: looking creates nothing
    options = ["--storage", postgres_url, "--study", "looked-up", "--trials", "1", "--epochs", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "forecasting", "tune", str(SAMPLES / "airline.csv"), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = find_study("looked-up", postgres_url)
    assert found is not None and len(found.trials) == 1


def test_a_visitor_keeps_studies_in_the_operators_postgres_but_not_beside_other_tables(
    postgres_url, tmp_path
):
    assert find_visitor_study("visited", postgres_url, tmp_path) is None
    open_visitor_study("visited", postgres_url, tmp_path)
    assert find_visitor_study("visited", postgres_url, tmp_path).study_name == "visited"

    server = sqlalchemy.create_engine(connection(postgres_url)[0], isolation_level="AUTOCOMMIT")
    with server.connect() as session:
        session.execute(sqlalchemy.text("CREATE DATABASE shop"))
    shop_url = make_url(postgres_url).set(database="shop").render_as_string(hide_password=False)
    shop = sqlalchemy.create_engine(connection(shop_url)[0])
    with shop.begin() as session:
        session.execute(sqlalchemy.text("CREATE TABLE customers (id integer primary key)"))
    for look in (find_visitor_study, open_visitor_study):
        with pytest.raises(TuneError, match="holds data of another program"):
            look("visited", shop_url, tmp_path)
    assert sqlalchemy.inspect(shop).get_table_names() == ["customers"]
    shop.dispose()
    server.dispose()
