"""The deployment files in deploy/ agree with the code, and the backup job really backs up."""

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def test_every_timer_starts_a_service_of_the_same_name():
    timers = sorted((DEPLOY / "systemd").glob("*.timer"))
    assert {t.stem for t in timers} == {"luoshi-remind", "luoshi-audit-anchor", "luoshi-backup"}
    for timer in timers:
        assert (timer.with_suffix(".service")).exists()
        assert unit(timer.name)["Timer"]["OnCalendar"]


def test_the_app_unit_runs_several_workers_with_the_serve_options_that_exist():
    service = unit("luoshi.service")["Service"]
    command = service["ExecStart"]
    assert " serve " in command and "--workers ${LUOSHI_WORKERS}" in command
    env = (DEPLOY / "luoshi.env.example").read_text()
    for variable in re.findall(r"\$\{(\w+)\}", command):
        assert re.search(rf"^{variable}=", env, re.M), variable
    options = re.findall(r"(--[\w-]+)", command)
    from luoshi.management.commands.serve import Command

    known = {
        a
        for action in Command().create_parser("luoshi", "serve")._actions
        for a in action.option_strings
    }
    assert set(options) <= known
    assert service["User"] == "luoshi" and service["NoNewPrivileges"] == "yes"
    port = re.search(r"--port (\d+)", command).group(1)
    nginx = (DEPLOY / "nginx" / "luoshi.conf").read_text()
    assert len(re.findall(rf"server [\d.]+:{port} ", nginx)) >= 2  # several app servers


def test_serve_refuses_a_silly_number_of_workers():
    for workers in (0, 33):
        with pytest.raises(CommandError, match="--workers"):
            call_command("serve", workers=workers)


def test_the_backup_job_writes_a_dated_backup_and_its_checksum(tmp_path):
    data = tmp_path / "data"
    env = dict(
        os.environ,
        LUOSHI_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data}/luoshi.sqlite3",
        LUOSHI_BIN=str(Path(sys.executable).parent / "luoshi"),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [env["LUOSHI_BIN"], "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT
    )
    backups = tmp_path / "backups"
    done = subprocess.run(
        [str(DEPLOY / "bin" / "luoshi-backup"), str(backups), "35"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(backups.glob("luoshi-*.sqlite3"))
    assert len(written) == 1 and written[0].stat().st_size > 0
    check = subprocess.run(
        ["sha256sum", "-c", written[0].name + ".sha256"], cwd=backups, capture_output=True
    )
    assert check.returncode == 0
