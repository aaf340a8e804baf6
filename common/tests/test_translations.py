"""The UI is complete in Chinese: every catalogue entry translated, no English on pages."""

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from common.testing import all_matrix_entries

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    p for p in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts
)
# Words that are meant to stay as they are on a Chinese page.
KEEP = {"English", "Luoshi"}


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 5


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_entry_is_translated(path):
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:10]}"
    assert path.with_suffix(".mo").exists(), "compile the catalogue (compilemessages)"


def test_one_phrase_means_one_thing_in_every_catalogue():
    """Django merges the apps' catalogues and the first app's translation wins silently, so a
    phrase translated two ways shows the wrong one somewhere (the project page's stage history
    was headed 起始日期/截止日期, the audit filter's words). Give such phrases a context."""
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                seen.setdefault((entry.msgctxt, entry.msgid), {})[path.parts[-5]] = entry.msgstr
    clashes = {key: apps for key, apps in seen.items() if len(set(apps.values())) > 1}
    assert not clashes, f"translated differently: {clashes}"


def english_labels() -> set[str]:
    labels = set()
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if (
                entry.msgstr
                and entry.msgstr != entry.msgid
                and "%" not in entry.msgid
                and re.search(r"[A-Za-z]{3}", entry.msgid)
                and entry.msgid not in KEEP
                # lower-case single words are field names, and may be user names
                and (" " in entry.msgid or entry.msgid[0].isupper())
            ):
                labels.add(entry.msgid)
    return labels


@pytest.mark.crawl
def test_pages_in_chinese_show_no_english_label(client, cast):
    labels = english_labels()
    checked = 0
    for key, entry in all_matrix_entries().items():
        if entry.method != "get" or not entry.allowed:
            continue
        url = reverse(key.split("#")[0], kwargs=entry.kwargs() if entry.kwargs else None)
        username = sorted(entry.allowed)[0]
        client.force_login(cast[username])
        response = client.get(url + entry.query, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        texts = {t.strip() for t in re.findall(r">([^<>]+)<", html)}
        found = sorted(texts & labels)
        assert not found, f"{key} as {username} shows English: {found}"
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_compiled_catalogue_matches_its_source(path):
    """A .mo left behind its .po (two branches merged, the binary kept from one side) shows
    English for the other side's phrases: compile again (compilemessages)."""

    def entries(catalogue):
        return {
            (e.msgctxt, e.msgid, e.msgstr or tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if (e.msgstr or any(e.msgstr_plural.values()))
            and not e.obsolete
            and "fuzzy" not in e.flags
        }

    source = entries(polib.pofile(str(path)))
    compiled = entries(polib.mofile(str(path.with_suffix(".mo"))))
    missing = sorted(source - compiled, key=str)
    assert not missing, f"{path.with_suffix('.mo')} lacks {len(missing)}: {missing[:5]}"
