import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_script_runs_and_prints_its_figures():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LUOSHI_DATA_DIR")}
    run = subprocess.run(
        [sys.executable, "benchmarks/ledger.py", "--rows", "500", "--units", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    for label in ("bare read", "import:", "import / bare read", "export:", "peak memory"):
        assert label in run.stdout
