"""The `luoshi` command as a shell runs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from luoshi.cli import EXIT_BROKEN_PIPE

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", [["diffsettings"], ["help"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path, command):
    """`luoshi summary | head`: the reader is gone before the command writes (its end of the
    pipe closed before the start), so every write meets a broken pipe; no traceback."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LUOSHI_DATA_DIR"] = str(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "luoshi.cli", *command],
            cwd=ROOT,
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == EXIT_BROKEN_PIPE
