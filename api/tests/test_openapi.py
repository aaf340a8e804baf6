"""The OpenAPI document is valid (openapi-spec-validator) and a client generated from it by
openapi-python-client logs in with a token and reads the figures from a live server."""

import importlib
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

from api import services

from .live import free_port, start_server, stop_server

CLIENT_PACKAGE = "luoshi_api_client"


@pytest.fixture(scope="session")
def openapi_document(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="session")
def generated_client(openapi_document, tmp_path_factory):
    """The Python client openapi-python-client generates from the document, generated once
    per session and imported from a folder of its own."""
    folder = tmp_path_factory.mktemp("openapi-client")
    (folder / "document.json").write_text(json.dumps(openapi_document, ensure_ascii=False))
    (folder / "config.yaml").write_text("post_hooks: []\n")  # no formatter run on the output
    generator = [sys.executable, "-m", "openapi_python_client"]
    run = subprocess.run(
        [
            *generator,
            "generate",
            "--path",
            "document.json",
            "--meta",
            "none",
            "--output-path",
            CLIENT_PACKAGE,
            "--config",
            "config.yaml",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr  # nothing skipped
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(CLIENT_PACKAGE)
    finally:
        sys.path.remove(str(folder))


def test_the_openapi_document_is_valid(openapi_document):
    """Issue 25 point 6: path and query parameters carried `examples` as a list, where a
    Parameter Object needs a map of Example Objects (10 errors)."""
    errors = [
        f"{'/'.join(map(str, error.path))}: {error.message}"
        for error in OpenAPIV31SpecValidator(openapi_document).iter_errors()
    ]
    assert errors == []
    unit = openapi_document["paths"]["/api/units/{code}/"]["get"]["parameters"][0]
    assert unit["examples"] == {"ZJJ": {"value": "ZJJ"}, "FGW": {"value": "FGW"}}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_generated_client_reads_the_summary_with_a_token(demo, generated_client):
    from luoshi_api_client import AuthenticatedClient, Client
    from luoshi_api_client.api.figures import api_api_summary
    from luoshi_api_client.models import ErrorOut, SummaryOut

    office = get_user_model().objects.get(username="office")
    _token, raw = services.create_token(user=office, name="generated client", days=1)
    connection.close()  # the server process opens its own
    port = free_port()
    server = start_server(port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        with AuthenticatedClient(base_url=base_url, token=raw) as client:
            summary = api_api_summary.sync(client=client, year="2024", as_of="2024-06-30")
        with Client(base_url=base_url) as anonymous:
            refused = api_api_summary.sync_detailed(client=anonymous, year="2024")
    finally:
        stop_server(server)
    assert isinstance(summary, SummaryOut)
    assert Decimal(str(summary.time_progress)) == Decimal("0.4973")
    counts = summary.counts.to_dict()
    assert [counts[k] for k in ("completed", "ahead", "behind", "none")] == [1, 4, 8, 4]
    assert len(summary.units) == 17
    assert refused.status_code == 401 and isinstance(refused.parsed, ErrorOut)
