"""Every 500 of issue 9 point 4, reproduced: each now answers with a clear message instead.

The property test (`test_hostile_input.py`) walks every URL with random hostile values; these
are the cases a hostile tester found by hand, kept as plain regression tests, and the rules
of `common.validation` tested without a database.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from common.validation import (
    InputError,
    check_event_date,
    latest_event_date,
    parse_choice,
    parse_date_param,
    parse_int,
    parse_json_object,
    parse_page,
    parse_year,
)
from funding.choices import Level
from funding.models import Project
from funding.services import save_guide
from funding.tests.factories import ProjectFactory
from ledger.tests.factories import receipt, target
from org.models import Leader, Unit
from org.tests.factories import UnitFactory, cast_of, reporting_period
from policy.services import save_policy, save_work_item


@pytest.fixture
def cast(db):
    """ZJJ with one of each record the pages below read (a target, a receipt, a reserve
    project, a guide, a work item its leader leads), and the office, that leader, ZJJ's
    officer and the audit administrator by their demo usernames (not the whole demo)."""
    reporting_period(2024)
    zjj = UnitFactory(code="ZJJ", name="市住房和城乡建设局")
    people = cast_of("office", "leader", "zjj", "auditor", unit=zjj)
    target(zjj, 100_000_000)
    receipt(zjj, 1_000_000, dt.date(2024, 5, 1), doc_no="测试〔2024〕1号")
    ProjectFactory(unit=zjj)
    save_guide(
        user=None,
        title="测试申报指南",
        issuer="省发展改革委",
        level=Level.PROVINCIAL,
        published_on=dt.date(2024, 3, 1),
        units=[zjj],
    )
    save_work_item(
        user=None,
        policy=save_policy(user=None, title="测试政策"),
        code="GZ-01",
        title="测试工作事项",
        lead_leader=people["leader"].leader,
        lead_unit=zjj,
        due_on=dt.date(2024, 9, 30),
    )
    return people


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# --- the rules, without a database ---


@pytest.mark.parametrize("text", ["2000", "2024", "２０２４", " 2100 "])
def test_it_reads_years_in_the_window(text):
    assert 2000 <= parse_year(text) <= 2100


@pytest.mark.parametrize("text", ["1999", "2101", "99999", "-1", "²", "", "2024.0", "1e3", "x"])
def test_it_refuses_other_years_with_a_message(text):
    with pytest.raises(InputError) as error:
        parse_year(text)
    assert str(error.value)


@pytest.mark.parametrize(
    "text", ["99999999999999999999", "1e400", "NaN", "²", "0x10", "1.5", "", "--1"]
)
def test_integers_are_bounded(text):
    with pytest.raises(InputError):
        parse_int(text)


def test_integers_in_range_pass():
    assert parse_int("42", minimum=0, maximum=100) == 42
    assert parse_int("－5") == -5  # full-width minus and digits
    with pytest.raises(InputError):
        parse_int("101", minimum=0, maximum=100)


def test_pages_and_choices():
    assert parse_page("3") == 3
    assert parse_page("99999999999999999999") == 1
    assert parse_page("²") == 1
    assert parse_choice("month", ["day", "month"]) == "month"
    assert parse_choice("evil", ["day", "month"], default="day") == "day"
    with pytest.raises(InputError):
        parse_choice("evil", ["day", "month"])


def test_dates_inside_the_window():
    assert parse_date_param("2024年6月30日") == dt.date(2024, 6, 30)
    for text in ("9999-12-31", "1999-12-31", "2024-02-30", "x"):
        with pytest.raises(InputError):
            parse_date_param(text)


def test_events_are_not_dated_beyond_next_year():
    today = dt.date(2024, 6, 30)
    assert latest_event_date(today) == dt.date(2025, 12, 31)
    assert check_event_date(dt.date(2025, 12, 31), today)
    for day in (dt.date(2026, 1, 1), dt.date(9999, 12, 31), dt.date(1999, 12, 31)):
        with pytest.raises(InputError):
            check_event_date(day, today)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"abc"',
        b"42",
        b"null",
        b'{"received_on": NaN}',
        b'{"received_on": Infinity}',
        b'{"received_on": -Infinity}',
        b'{"received_on": 1e400}',
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff",
        b'{"doc_no": "a\\u0000b"}',
    ],
)
def test_json_bodies_must_be_plain_objects(body):
    with pytest.raises(InputError):
        parse_json_object(body)


def test_a_plain_json_object_passes():
    assert parse_json_object(b'{"amount": 1.5, "doc_no": "x"}') == {
        "amount": Decimal("1.5"),
        "doc_no": "x",
    }


# --- the pages of issue 9 point 4 ---


@pytest.mark.parametrize(
    "who, url",
    [
        ("zjj", "/funding/receipts/?year=99999"),
        ("zjj", "/funding/receipts/?year=-1&export=xlsx"),
        ("office", "/funding/receipts/?year=-1&export=xlsx"),
        ("office", "/funding/receipts/?received_from=9999-12-31"),
        ("office", "/funding/projects/?plan_year=99999999999999999999"),
        ("office", "/funding/targets/?year=99999"),
        ("office", "/cockpit/?as_of=9999-12-31"),
        ("office", "/cockpit/unit/{zjj}/?as_of=9999-12-31"),
        ("office", "/org/calendar/?year=²"),
        ("office", "/org/units/{zjj}/?year=99999"),
    ],
)
def test_bad_query_parameters_answer_a_message_not_a_500(cast, who, url):
    url = url.format(zjj=Unit.objects.get(code="ZJJ").pk)
    response = client_for(cast[who]).get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    assert 'role="alert"' in page or "message error" in page, url


def test_a_page_number_out_of_range_shows_the_last_page(cast):
    client = client_for(cast["office"])
    for page in ("99999999999999999999", "²", "-1", "1e400"):
        assert client.get("/funding/receipts/", {"page": page}).status_code == 200


def test_a_refused_filter_exports_nothing(cast):
    response = client_for(cast["office"]).get("/funding/receipts/?year=-1&export=xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" not in response["Content-Type"]


def test_the_ledger_export_refuses_a_year_out_of_range(cast):
    client = client_for(cast["office"])
    response = client.get("/ledger/export/?year=99999", follow=True)
    assert response.status_code == 200
    assert "2000" in response.content.decode() and "2100" in response.content.decode()


def test_a_project_advance_with_a_mangled_version_is_refused(cast):
    project = Project.objects.filter(unit__code="ZJJ", stage="reserve").first()
    client = client_for(cast["zjj"])
    url = reverse("dashboard:project_advance", args=[project.pk])
    for version in ("²", "", "99999999999999999999"):
        data = {"to_stage": "applied", "on": "2024-06-01"}
        if version:
            data["version"] = version
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "版本" in response.content.decode() or "过期" in response.content.decode()
        project.refresh_from_db()
        assert project.stage == "reserve"


@pytest.mark.parametrize("form", ["unit", "leader"])
def test_a_sort_order_too_big_for_the_database_is_a_form_error(cast, form):
    client = client_for(cast["office"])
    huge = "99999999999999999999"
    if form == "unit":
        unit = Unit.objects.get(code="ZJJ")
        url = reverse("org:unit_edit", args=[unit.pk])
        data = {"name": unit.name, "kind": unit.kind, "sort_order": huge, "version": unit.version}
    else:
        leader = Leader.objects.order_by("pk").first()
        url = reverse("org:leader_edit", args=[leader.pk])
        data = {"name": leader.name, "sort_order": huge}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


def test_a_leader_cannot_oversee_an_id_no_column_holds(cast):
    leader = Leader.objects.order_by("pk").first()
    response = client_for(cast["office"]).post(
        reverse("org:leader_edit", args=[leader.pk]),
        {"name": leader.name, "sort_order": "1", "oversees": ["-99999999999999999999"]},
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '"abc"',
        "42",
        "null",
        '{"amount": "1", "received_on": NaN}',
        '{"amount": "1", "received_on": Infinity}',
        '{"amount": "1", "received_on": 1e400}',
        '{"amount": ["1"], "received_on": "2024-06-01"}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_the_receipt_api_answers_json_errors(cast, body):
    response = client_for(cast["zjj"]).post("/api/receipts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]


def test_a_body_that_cannot_be_parsed_is_a_400(cast):
    client = client_for(cast["office"])
    for content_type, status in (
        ("multipart/form-data", 400),  # no boundary: Django cannot parse it
        ("multipart/form-data; boundary=x", 200),  # parsed as no fields: the form's errors
    ):
        response = client.generic(
            "POST", reverse("org:unit_create"), b"--x\r\ngarbage", content_type=content_type
        )
        assert response.status_code == status, content_type


def test_a_nul_character_is_refused_before_any_view(cast):
    response = client_for(cast["auditor"]).get("/audit/", {"actor": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


# --- dates of things that happened: inside the window, not beyond next year ---

FAR = ["9999-12-31", "2100-01-01", "1999-12-31"]


@pytest.mark.parametrize("day", FAR)
def test_a_receipt_dated_out_of_the_window_is_refused_on_the_workbench(cast, day):
    from funding.models import Receipt

    before = Receipt.objects.count()
    response = client_for(cast["zjj"]).post(
        reverse("dashboard:receipt_create"),
        {"amount": "10", "received_on": day, "doc_no": "远期测试"},
    )
    assert response.status_code == 400
    assert Receipt.objects.count() == before
    assert "field-error" in response.content.decode() or "error" in response.content.decode()


@pytest.mark.parametrize("day", FAR)
def test_a_receipt_dated_out_of_the_window_is_refused_by_the_api(cast, day):
    response = client_for(cast["zjj"]).post(
        "/api/receipts/", {"amount": "10", "received_on": day}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "2000" in response.json()["error"] or day[:4] in response.json()["error"]


def test_the_services_refuse_far_dates_whoever_calls_them(cast):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from funding import services as funding
    from policy import services as policy
    from policy.models import WorkItem

    unit = Unit.objects.get(code="ZJJ")
    far = dt.date(9999, 12, 31)
    with pytest.raises(ValidationError):
        funding.record_receipt(user=cast["zjj"], unit=unit, amount=100_000, received_on=far)
    with pytest.raises(ValidationError):
        funding.log_contact(
            user=cast["zjj"], unit=unit, direction="out", occurred_on=far, counterpart="x"
        )
    item = WorkItem.objects.filter(assignments__unit=unit).first()
    with pytest.raises(ValidationError):
        policy.file_progress_report(
            user=cast["zjj"], work_item=item, unit=unit, reported_on=far, text="x"
        )


def test_a_ledger_receipt_dated_9999_is_an_error_naming_the_cell(db, tmp_path):
    from ledger.services import import_ledger

    path = tmp_path / "到位资金.csv"
    path.write_text(
        "单位编码,金额（万元）,到位日期,文号\nZJJ,1,9999-12-31,远期\n", encoding="utf-8"
    )
    result = import_ledger(path, user=None, name=path.name, dry_run=True)
    assert not result.ok
    assert any("9999-12-31" in error.message and error.row for error in result.errors)


# --- a guard for forms written later ---


def project_forms():
    """Every form class defined in a project app's forms.py."""
    import importlib
    import inspect

    from django import forms
    from django.apps import apps

    found = []
    for app in apps.get_app_configs():
        if ".venv" in str(app.path) or "site-packages" in str(app.path):
            continue
        try:
            module = importlib.import_module(f"{app.name}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_every_number_and_multiple_choice_of_every_form_is_bounded():
    """An IntegerField without max_value lets 99999999999999999999 reach the database; a
    ModelMultipleChoiceField lets it reach an `id IN (…)`. Use `common.validation`'s fields."""
    from django import forms

    from common.validation import BoundedModelChoiceField, BoundedModelMultipleChoiceField

    classes = project_forms()
    assert len(classes) >= 8
    unbounded = []
    for cls in classes:
        model = getattr(getattr(cls, "_meta", None), "model", None)
        model_fields = {f.name for f in model._meta.get_fields()} if model else set()
        for name, field in cls.base_fields.items():
            if name in model_fields and name not in cls.declared_fields:
                continue  # a ModelForm's own field: the model's range validators bound it
            if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
                if field.max_value is None or field.min_value is None:
                    unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
            if (
                isinstance(field, forms.ModelMultipleChoiceField)
                and not isinstance(field, BoundedModelMultipleChoiceField)
                # a field of its own that checks the ids before the database sees them
                and type(field)._check_values is forms.ModelMultipleChoiceField._check_values
            ):
                unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
            if (
                type(field) is forms.ModelChoiceField
                or isinstance(field, forms.ModelChoiceField)
                and not isinstance(field, forms.ModelMultipleChoiceField | BoundedModelChoiceField)
                and type(field).to_python is forms.ModelChoiceField.to_python
            ):
                unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not unbounded, f"unbounded form fields: {unbounded}"


# --- integers of more than 4,300 digits (issue 25 point 4): int() itself refuses them ---

NINES = "9" * 4301


def test_the_bounded_parsers_refuse_4301_digits_with_a_message():
    from common.validation import parse_id

    for parse in (parse_int, parse_id, parse_page, parse_year):
        try:
            assert parse(NINES) == 1  # parse_page: the first page for anything else
        except InputError as error:
            assert str(error)


def test_a_4301_digit_id_in_a_form_is_an_invalid_choice():
    from django import forms

    from common.validation import BoundedModelChoiceField, ScopedModelChoiceField

    for field_class in (BoundedModelChoiceField, ScopedModelChoiceField):
        field = field_class(queryset=Unit.objects.none())
        with pytest.raises(forms.ValidationError) as refused:
            field.clean(NINES)
        assert refused.value.code == "invalid_choice"


@pytest.mark.parametrize(
    "who, url, data",
    [
        ("zjj", "/funding/guides/{guide}/prepare/", {"project": NINES, "version": "1"}),
        ("zjj", "/funding/guides/{guide}/prepare/", {"project": "1", "version": NINES}),
        ("office", "/funding/claims/confirm/", {"doc_key": "x", "seen": NINES}),
        ("office", "/funding/claims/confirm/", {"doc_key": "x", "seen": f"1,{NINES}"}),
        ("office", "/funding/receipts/{receipt}/reject/", {"version": NINES}),
        ("office", "/funding/projects/new/", {"unit": NINES}),
        ("zjj", "/cockpit/workbench/receipts/", {"amount": "1", "project": NINES}),
        ("zjj", "/funding/projects/new/", {"code": "X1", "name": "x", "follow_up": NINES}),
    ],
)
def test_4301_digits_answer_a_message_not_a_500(cast, who, url, data):
    from funding.models import Guide, Receipt

    url = url.format(
        guide=Guide.objects.order_by("pk").first().pk,
        receipt=Receipt.objects.order_by("pk").first().pk,
    )
    response = client_for(cast[who]).post(url, data, follow=True)
    assert response.status_code < 500, response.status_code
