"""schemathesis against a live server as a token user: no 5xx, no answer outside the schema.

The server is a real `luoshi serve` process on the test database (SQLite or PostgreSQL, as
the run is); the time budget keeps it under a minute per database.
"""

import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from api import services

from .live import free_port, start_server, stop_server

pytestmark = [pytest.mark.slow, pytest.mark.walk, pytest.mark.django_db(transaction=True)]
BUDGET_SECONDS = 30  # the whole test stays under a minute per database
CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    ]
)


def test_the_api_keeps_to_its_schema_under_generated_input(demo, capsys, tmp_path):
    office = get_user_model().objects.get(username="office")
    _token, raw = services.create_token(user=office, name="schemathesis", days=1)
    connection.close()
    port = free_port()
    server = start_server(port)
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"http://127.0.0.1:{port}/api/openapi.json",
                "--header",
                f"Authorization: Bearer {raw}",
                "--checks",
                CHECKS,
                "--max-examples",
                "10",
                "--max-time",
                str(BUDGET_SECONDS),
                "--workers",
                "1",  # hypothesis' lambda descriptions are not thread-safe in this version
                "--seed",
                "20240630",
                "--request-timeout",
                "20",
                "--report",
                "junit",
                "--report-dir",
                str(tmp_path),
            ],
            cwd=tmp_path,  # its cache stays out of the repository
            capture_output=True,
            text=True,
            timeout=BUDGET_SECONDS + 60,
        )
    finally:
        stop_server(server)
    output = run.stdout + run.stderr
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    with capsys.disabled():
        summary = cases.group(0) if cases else "no summary"
        print(f"\nschemathesis on {connection.vendor}: {summary}")
    assert run.returncode == 0, output[-6000:]
    assert cases and cases.group(1) == cases.group(2) and int(cases.group(1)) >= 50, output[-3000:]
