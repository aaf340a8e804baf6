"""A real `luoshi serve` process on the test database, for tests that need a live server."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

from luoshi.management.commands.backup import pg_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return pg_url(connection.settings_dict)


def start_server(port: int, *extra: str) -> subprocess.Popen:
    """`luoshi serve` on the test database (the caller closes its own connection first)."""
    env = dict(os.environ, LUOSHI_DEMO="1", DATABASE_URL=database_url())
    # the server anchors the audit trail as it starts: into a file of its own, not one shared
    # with the servers of other tests (whose anchored rows their tests have rolled back)
    folder = tempfile.mkdtemp(prefix="luoshi-anchors-")
    env.setdefault("LUOSHI_AUDIT_ANCHOR_FILE", os.path.join(folder, "audit_anchors.jsonl"))
    server = subprocess.Popen(
        [sys.executable, "-m", "luoshi.cli", "serve", "--port", str(port), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(server.stderr.read().decode())


#: how long `luoshi serve` may take to stop on SIGTERM: an anchoring under way (up to 30 s) and
#: the job worker's current job (30 s, then 10 s after its second signal), as serve allows them
STOP_SECONDS = 80


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM, then wait as long as `luoshi serve`'s own graceful stop may take."""
    server.terminate()
    server.wait(timeout=STOP_SECONDS)
