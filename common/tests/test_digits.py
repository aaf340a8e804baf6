"""`str.isdigit()` is true of '²' and '٣', which `int()` and `hmac.compare_digest` refuse with
an exception (a 500 the hostile walk found on /funding/leads/?unit=²). Every check for digits
in the code also asks `isascii()`."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BARE = re.compile(r"\.isdigit\(\)")


def test_every_digit_check_is_ascii_only():
    found = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if BARE.search(line) and "isascii()" not in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_superscript_digits_are_not_ascii_digits():
    assert "²".isdigit() and not "²".isascii()


def test_a_superscript_unit_filter_is_answered_not_a_500(client, db):
    from org.tests.factories import cast_of

    client.force_login(cast_of("office")["office"])
    for url in ("/funding/leads/?unit=²", "/funding/targets/?year=²０２４", "/cockpit/?page=²"):
        assert client.get(url).status_code < 500, url
