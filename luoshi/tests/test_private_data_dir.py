"""The data directory is private (issue 25 point 2): under the README's set-up (umask 022)
the folder is 0700 and the database, its -wal and -shm files and the keys are 0600; a wider
folder or database file stops the program with the chmod that fixes it."""

import os
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from api.tests.live import free_port
from luoshi.settings import _private_data_dir, _private_database

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def under_umask_022(env: dict, *args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "luoshi.cli", *args],
        cwd=ROOT,
        env=env,
        preexec_fn=lambda: os.umask(0o022),
        **popen,
    )


@pytest.mark.slow
def test_migrate_demo_and_serve_under_umask_022_keep_the_data_private(demo_data_dir):
    """`make demo` in a subprocess: migrate, demo (both under umask 022, by the session's
    `demo_data_dir`), serve; the modes while it serves."""
    data, env = demo_data_dir
    port = free_port()
    server = under_umask_022(
        env, "serve", "--port", str(port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as page:
                    assert page.status == 200
                break
            except OSError:
                assert time.time() < deadline and server.poll() is None, server.stderr.read()
                time.sleep(0.3)
        database = data / "luoshi.sqlite3"
        files = {database, Path(f"{database}-wal"), Path(f"{database}-shm")}
        # WAL: the files exist while a connection is open; the server's may all be idle and
        # closed, so a reader here keeps them (SQLite gives them the database file's mode,
        # whatever this process's umask 022 says)
        reader = sqlite3.connect(database)
        reader.execute("SELECT count(*) FROM django_migrations").fetchone()
        assert all(f.exists() for f in files)
        assert mode(data) == 0o700
        for name in ("secret_key", "audit_key", "totp_key", *(f.name for f in files)):
            assert mode(data / name) == 0o600, name
        readable = [
            str(path)
            for path in data.rglob("*")
            if path.is_file() and mode(path) & 0o077 and "static" not in path.parts
        ]
        assert readable == []
        reader.close()
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_a_data_folder_others_may_enter_is_refused_with_the_fix(tmp_path):
    data = tmp_path / "data"
    _private_data_dir(data)
    assert mode(data) == 0o700
    data.chmod(0o755)
    with pytest.raises(ImproperlyConfigured, match=f"chmod 700 {data}"):
        _private_data_dir(data)


def test_a_database_file_others_may_read_is_refused_with_the_fix(tmp_path):
    database = tmp_path / "luoshi.sqlite3"
    _private_database(database)
    assert mode(database) == 0o600
    shm = Path(f"{database}-shm")
    shm.touch(mode=0o644)
    shm.chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match=f"chmod 600 {shm}"):
        _private_database(database)
    shm.chmod(0o600)
    database.chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match=f"chmod 600 {database}"):
        _private_database(database)


def test_the_program_stops_on_a_readable_database_saying_how_to_fix_it(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "luoshi.sqlite3").touch()
    (data / "luoshi.sqlite3").chmod(0o644)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LUOSHI_DATA_DIR"] = str(data)
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"chmod 600 {data / 'luoshi.sqlite3'}" in result.stderr
