"""What a server gets out of the box: no stack trace and no developer toolbar for visitors, app
files the runtime user cannot change, one writable data folder that the README mounts as a
volume; and the test suite's own switches stay out of the server's settings."""

import re
import shlex
import tomllib

from forecasting.limits import PREFIX, ServerLimits
from tests.conftest import POSTGRES_SKIP, ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each Dockerfile line, continuations joined, comments out."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


DOCKER = instructions((ROOT / "Dockerfile").read_text())


def arguments(keyword: str) -> list[str]:
    return [rest for name, rest in DOCKER if name == keyword]


def data_dir() -> str:
    [volume] = arguments("VOLUME")
    paths = shlex.split(volume.strip("[]").replace(",", " ").replace('"', ""))
    assert len(paths) == 1, f"one writable folder, not {paths}"
    return paths[0]


def test_visitors_never_see_a_stack_trace():
    assert CONFIG["client"]["showErrorDetails"] == "none"


def test_the_toolbar_offers_visitors_no_developer_options():
    assert CONFIG["client"]["toolbarMode"] == "viewer"


def test_the_app_files_are_copied_owned_by_root():
    copies = arguments("COPY") + arguments("ADD")
    assert copies, "the Dockerfile copies the app"
    assert not [rest for rest in copies if "--chown" in rest or "--chmod" in rest]
    assert arguments("WORKDIR") == ["/app"]
    chowned = [rest for rest in arguments("RUN") if re.search(r"\bch(own|mod)\b", rest)]
    for command in chowned:
        targets = [word for word in shlex.split(command) if word.startswith("/")]
        assert set(targets) == {data_dir()}, f"only the data folder changes owner: {command}"


def test_the_app_runs_as_a_user_other_than_root():
    users = arguments("USER")
    assert users, "the image names the user the app runs as"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert [name for name, _ in DOCKER].index("USER") > max(
        place for place, (name, _) in enumerate(DOCKER) if name in {"COPY", "ADD", "RUN"}
    ), "files copied and commands run before the switch belong to root"


def test_one_writable_data_folder_is_a_volume_and_the_app_writes_there():
    folder = data_dir()
    assert f"FORECAST_LAB_DATA_DIR={folder}" in arguments("ENV")


def test_the_readmes_docker_run_mounts_a_volume_on_the_data_folder():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```[a-z]*\n(.*?)```", readme, flags=re.DOTALL)
    runs = [line for block in blocks for line in block.splitlines() if "docker run" in line]
    assert runs, "the README shows how to run the image"
    for line in runs:
        words = shlex.split(line.split("#")[0])
        mounts = [words[i + 1] for i, word in enumerate(words[:-1]) if word in {"-v", "--volume"}]
        assert any(mount.split(":")[1] == data_dir() for mount in mounts), line


def test_the_switch_that_skips_the_postgresql_tests_is_not_a_server_setting(monkeypatch):
    assert not POSTGRES_SKIP.startswith(PREFIX)
    without = ServerLimits.from_env()
    monkeypatch.setenv(POSTGRES_SKIP, "1")
    assert ServerLimits.from_env() == without
