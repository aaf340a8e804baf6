"""The data stamps behind the cockpit's and the workbench's cache (common/stamps.py): every
table is stamped, every write gives a new stamp in its own transaction, and a cached page
changes with the very next request after a write — never a stale figure."""

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from common import stamps
from funding import services as funding
from funding.models import Channel, Receipt
from ledger.tests.factories import target
from org.models import Unit
from org.tests.factories import UnitFactory, cast_of

PASSWORD = "Luoshi@2024demo"


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_it_stamps_every_table_but_the_few_no_page_reads():
    names = _triggers()
    tables = stamps.stamped_tables()
    assert "funding_receipt" in tables and "funding_target" in tables and "org_unit" in tables
    assert not stamps.UNSTAMPED & set(tables)
    for table in tables:
        base = stamps._trigger(table)
        if connection.vendor == "sqlite":
            assert {f"{base}_insert", f"{base}_update", f"{base}_delete"} <= names, table
        else:
            assert {base, f"{base[:51]}_truncate"} <= names, table


@pytest.mark.django_db(transaction=True)
def test_a_target_changes_the_other_stamp_and_a_receipt_the_receipts_stamp():
    # (committed writes, as in production: on PostgreSQL the stamps move at commit, once a
    # transaction and stamp, whichever of its writes fired the trigger)
    unit = UnitFactory()
    cast = cast_of("office", "zjj", unit=unit)
    before = stamps.current()
    funding.set_target(user=cast["office"], unit=unit, year=2024, amount=999_000_000, reason="测试")
    after_target = stamps.current()
    assert after_target["other"] != before["other"]
    assert after_target["receipts"] == before["receipts"]
    funding.record_receipt(
        user=cast["zjj"],
        unit=cast["zjj"].membership.unit,
        amount=1_000_000,
        received_on=dt.date(2024, 6, 3),
        doc_no="stamp-test-1",
    )
    assert stamps.current()["receipts"] != after_target["receipts"]


@pytest.mark.django_db
def test_nothing_is_cached_inside_a_transaction():
    calls = []
    with transaction.atomic():
        for _ in range(2):
            stamps.cached("test", ("inside",), lambda: calls.append(1))
    assert len(calls) == 2


def _secured(html: str, figure: str) -> str:
    return re.search(rf'data-figure="{figure}">([^<]+)<', html).group(1)


@contextmanager
def _computations() -> Iterator[list[str]]:
    """The names of the cached computations that were computed (not found) inside."""
    computed: list[str] = []
    real = stamps.cached

    def counting(name, key, compute, **kwargs):
        return real(name, key, lambda: computed.append(name) or compute(), **kwargs)

    stamps.cached = counting
    try:
        yield computed
    finally:
        stamps.cached = real


def _receipt_choices(html: str) -> str:
    return re.search(r'<select name="result_receipt".*?</select>', html, re.S).group(0)


@pytest.mark.django_db(transaction=True)
def test_a_cached_cockpit_and_workbench_change_with_the_next_write(demo):
    caches["pages"].clear()
    office, officer = Client(), Client()
    assert office.login(username="office", password=PASSWORD)
    assert officer.login(username="zjj", password=PASSWORD)
    first = office.get("/cockpit/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = office.get("/cockpit/").content.decode()
    assert again == first or _secured(again, "secured") == _secured(first, "secured")
    assert len(queries) <= 6, "the second request is served from the cache"
    bench = officer.get("/cockpit/workbench/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        bench_again = officer.get("/cockpit/workbench/").content.decode()
    # the session, the user, and for the body, its figure cards and its contact form each
    # the stamps (one small query)
    assert len(queries) <= 9, [q["sql"] for q in queries.captured_queries]
    # each response carries its own CSRF token, never the placeholder
    assert "luoshi-csrf" not in bench_again and 'name="csrfmiddlewaretoken" value="' in bench

    from django.contrib.auth import get_user_model

    zjj = get_user_model().objects.select_related("membership").get(username="zjj")
    funding.record_receipt(
        user=zjj,
        unit=zjj.membership.unit,
        amount=123_450_000,
        received_on=dt.date(2024, 6, 3),
        doc_no="stamp-test-2",
    )
    changed = office.get("/cockpit/").content.decode()
    assert _secured(changed, "secured") != _secured(first, "secured")
    bench_changed = officer.get("/cockpit/workbench/").content.decode()
    assert _secured(bench_changed, "my-secured") != _secured(bench, "my-secured")
    # the contact form of the cached body offers the new receipt
    new = Receipt.objects.get(doc_no="stamp-test-2")
    assert f'<option value="{new.pk}">' in _receipt_choices(bench_changed)
    assert f'<option value="{new.pk}">' not in _receipt_choices(bench)

    office_user = get_user_model().objects.get(username="office")
    stamp = stamps.current()["other"]
    funding.set_target(
        user=office_user,
        unit=zjj.membership.unit,
        year=2024,
        amount=1,
        reason="测试",
        effective_on=dt.date(2024, 1, 1),
    )
    assert stamps.current()["other"] != stamp
    # whatever the revision did to the figures, the cached page is the page computed afresh
    now = office.get("/cockpit/").content.decode()
    caches["pages"].clear()
    fresh = office.get("/cockpit/").content.decode()
    token = re.compile(r"[A-Za-z0-9]{64}")
    assert token.sub("", now) == token.sub("", fresh)


class _RolledBack(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_migration_may_write_rows_then_alter_their_table():
    """`migrate` takes the stamp triggers off while it runs (PostgreSQL refuses to ALTER a
    table with deferred trigger events pending) and puts them back with new stamps."""
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal

    with_triggers, before = _triggers(), stamps.current()
    emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")
    assert not any(name.endswith("_stamp") or "_stamp_" in name for name in _triggers())
    _write_then_alter()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert _triggers() == with_triggers
    after = stamps.current()
    assert after[stamps.OTHER] != before[stamps.OTHER]
    assert after[stamps.RECEIPTS] != before[stamps.RECEIPTS]
    if connection.vendor == "postgresql":  # with the triggers on, PostgreSQL refuses
        with pytest.raises(OperationalError, match="pending trigger events"):
            _write_then_alter()


def _write_then_alter() -> None:
    """What a data migration does: write rows (of a table without foreign keys, whose
    deferred checks would be pending too), then alter their table; rolled back."""
    with pytest.raises(_RolledBack), transaction.atomic():
        Channel.objects.create(code="MIG", name="迁移中的渠道")
        with connection.cursor() as cursor:
            cursor.execute('ALTER TABLE "funding_channel" ADD COLUMN "migrated" integer NULL')
        raise _RolledBack


@pytest.mark.django_db(transaction=True)
def test_another_units_receipt_recomputes_only_the_workbench_parts_that_read_receipts(demo):
    """The workbench body is cached across receipt writes: a receipt of another unit
    recomputes the figure cards and the contact form, not the board or the work items."""
    from django.contrib.auth import get_user_model

    caches["pages"].clear()
    officer = Client()
    assert officer.login(username="zjj", password=PASSWORD)
    before = officer.get("/cockpit/workbench/").content.decode()
    zjj = get_user_model().objects.select_related("membership").get(username="zjj")
    other = Unit.objects.exclude(pk=zjj.membership.unit_id).filter(targets__isnull=False)[0]
    office = get_user_model().objects.get(username="office")
    funding.record_receipt(
        user=office, unit=other, amount=1_000, received_on=dt.date(2024, 6, 3), doc_no="别家-1"
    )
    with _computations() as computed:
        after = officer.get("/cockpit/workbench/").content.decode()
    assert sorted(computed) == ["workbench-contact-form", "workbench-figures"]
    token = re.compile(r"[A-Za-z0-9]{64}")  # each response's own CSRF token
    assert token.sub("", after) == token.sub("", before)


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_while_computing_is_neither_half_seen_nor_cached_as_new():
    """A computation reads one snapshot with its stamps: a receipt committed half-way is not
    in it, and the value is cached under the stamps it saw (so under load, with writes every
    few milliseconds, a page computed is a page cached)."""
    import threading

    from django.db import connections

    caches["pages"].clear()
    office = cast_of("office")["office"]
    unit = target(UnitFactory(), 50_000_000).unit

    def write():
        try:
            funding.record_receipt(
                user=office, unit=unit, amount=500, received_on=dt.date(2024, 6, 3), doc_no="半途-1"
            )
        finally:
            connections.close_all()

    def compute():
        before = Receipt.objects.count()
        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        return before, Receipt.objects.count()

    before, after = stamps.cached("test-snapshot", ("k",), compute)
    assert before == after, "one snapshot: the receipt committed half-way is not seen"
    assert Receipt.objects.filter(doc_no="半途-1").exists()
    computed = stamps.cached("test-snapshot", ("k",), lambda: ("again", Receipt.objects.count()))
    assert computed == ("again", before + 1), "the write changed the stamps: computed afresh"
    assert stamps.cached("test-snapshot", ("k",), lambda: "not called") == computed


@pytest.mark.django_db(transaction=True)
def test_what_every_reader_of_the_league_reads_alike_is_computed_once_for_them(demo):
    """After a receipt the office's cockpit computes the league's totals, claims and forecast
    inputs; a leader's cockpit then reuses them (and shows the same figures)."""
    caches["pages"].clear()
    office, leader = Client(), Client()
    assert office.login(username="office", password=PASSWORD)
    assert leader.login(username="leader", password=PASSWORD)
    office_page = office.get("/cockpit/").content.decode()
    with _computations() as computed:
        leader_page = leader.get("/cockpit/").content.decode()
    assert "cockpit" in computed  # the leader's own page (links, own units first)…
    assert not [name for name in computed if name.startswith("league-")]  # …from shared parts
    assert _secured(leader_page, "secured") == _secured(office_page, "secured")


def test_the_code_fingerprint_changes_with_a_template_and_ignores_tests(tmp_path):
    """An upgrade installed over a running site's cache: a changed template, module or
    catalogue gives a new code version, so no page of the old code is served."""
    import os

    app = tmp_path / "app"
    (app / "templates").mkdir(parents=True)
    (app / "tests").mkdir()
    page = app / "templates" / "page.html"
    page.write_text("<p>{{ a }}</p>")
    (app / "views.py").write_text("x = 1\n")
    (app / "tests" / "test_x.py").write_text("")
    first = stamps.code_fingerprint(tmp_path, [app])
    assert stamps.code_fingerprint(tmp_path, [app]) == first
    (app / "tests" / "test_x.py").write_text("changed")  # a test is not code that renders
    assert stamps.code_fingerprint(tmp_path, [app]) == first
    page.write_text("<p>{{ b }}</p>")  # same size, another text and time
    os.utime(page, ns=(1, 1))
    second = stamps.code_fingerprint(tmp_path, [app])
    assert second != first
    (app / "views.py").write_text("x = 22\n")
    assert stamps.code_fingerprint(tmp_path, [app]) != second
    # a checkout that sits in a folder named tests is fingerprinted all the same
    checkout = tmp_path / "tests" / "luoshi"
    (checkout / "app").mkdir(parents=True)
    (checkout / "app" / "views.py").write_text("x = 1\n")
    before = stamps.code_fingerprint(checkout, [checkout / "app"])
    (checkout / "app" / "views.py").write_text("x = 22\n")
    assert stamps.code_fingerprint(checkout, [checkout / "app"]) != before


@pytest.mark.django_db(transaction=True)
def test_a_value_cached_by_other_code_is_not_served(monkeypatch):
    caches["pages"].clear()
    computed = []

    def compute(text):
        computed.append(text)
        return text

    monkeypatch.setattr(stamps, "code_version", lambda: "old")
    assert stamps.cached("code-test", (1,), lambda: compute("old page")) == "old page"
    assert stamps.cached("code-test", (1,), lambda: compute("again")) == "old page"
    monkeypatch.setattr(stamps, "code_version", lambda: "new")
    assert stamps.cached("code-test", (1,), lambda: compute("new page")) == "new page"
    assert computed == ["old page", "new page"]
