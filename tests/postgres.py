"""A throwaway PostgreSQL cluster on loopback, for the tests and the tuning benchmark.

`with throwaway_postgres() as url:` runs initdb into a fresh folder, starts the server on a
free port of 127.0.0.1, creates a database and yields its SQLAlchemy URL; the server and the
folder are gone afterwards. As root, the server runs as the `postgres` user (PostgreSQL
refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.server import free_port

DATABASE = "tune"
USER = "forecast"
SERVICE_USER = "postgres"  # who runs the server when we are root
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"  # a throwaway cluster


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed or would not start; the message says why and what to do."""


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: on PATH, the newest Debian one, or pg_config's."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version)
    if debian:
        return Path(debian[-1])
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if (Path(bindir.stdout.strip()) / "initdb").exists():
            return Path(bindir.stdout.strip())
    raise PostgresUnavailable(
        "PostgreSQL is not installed (no initdb found): install it with "
        "`apt-get install postgresql` (make test does this), or set NO_POSTGRES_TESTS=1 "
        "to skip the PostgreSQL tests."
    )


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a cluster, yield `postgresql://forecast@127.0.0.1:PORT/tune`, stop it."""
    bindir = find_bindir()
    as_user = _service_user()
    # as root, in /tmp: the postgres user must reach the folder, and $TMPDIR may be root's own
    folder = Path(tempfile.mkdtemp(prefix="forecast-lab-pg-", dir="/tmp" if as_user else None))
    data = folder / "data"
    if as_user:
        os.chown(folder, as_user.pw_uid, as_user.pw_gid)
    port = free_port()
    started = False
    try:
        _run(as_user, bindir / "initdb", "-D", data, "-U", USER, "--auth=trust", "--no-sync",
             "-E", "UTF8", "--locale=C")  # fmt: skip
        options = f"-h 127.0.0.1 -p {port} -k '{folder}' {FAST}"
        _run(as_user, bindir / "pg_ctl", "-D", data, "-l", folder / "server.log", "-o", options,
             "-w", "-t", "60", "start")  # fmt: skip
        started = True
        _run(as_user, bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", USER, DATABASE)
        yield f"postgresql://{USER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            _run(as_user, bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _run(as_user: pwd.struct_passwd | None, *command: object) -> None:
    extra = {"user": as_user.pw_uid, "group": as_user.pw_gid, "extra_groups": []} if as_user else {}
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=120, **extra
    )
    if done.returncode != 0:
        log = ""
        if "start" in command:
            server_log = Path(str(command[command.index("-l") + 1]))
            log = server_log.read_text() if server_log.exists() else ""
        raise PostgresUnavailable(
            f"`{' '.join(str(part) for part in command)}` failed ({done.returncode}): "
            f"{done.stderr.strip() or done.stdout.strip()} {log.strip()}".strip()
        )


def _service_user() -> pwd.struct_passwd | None:
    """None when we are not root; else the postgres user (or a refusal saying it is missing)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"Running as root, PostgreSQL needs the {SERVICE_USER!r} user to run as, and there is "
            "none; `apt-get install postgresql` creates it."
        ) from None


def _version(bindir: str) -> tuple[int, ...]:
    name = Path(bindir).parent.name
    return tuple(int(part) for part in name.split(".") if part.isdigit())
