"""Input validation in one place: every query parameter and form field is bounded here.

No input may give a 5xx (design §3, issue 9). A page parses its query parameters and its
forms with the helpers below; each refuses what it cannot take with a message for the user
(`InputError`, or a form error) instead of letting a `ValueError`, an `OverflowError` or a
database overflow reach the server's 500 page.

- years: 2000–2100 (`YEAR_MIN`, `YEAR_MAX`); dates inside that window;
- dates of things that happened (money received, a report, a contact, a stage change): not
  later than the end of next year (`latest_event_date`), so a typo such as 9999-12-31 cannot
  become "the latest report" for ever;
- integers: bounded (by default to what every database column holds), page numbers too;
- choices (sort keys, modes, enumerations): one of the allowed values.

`harden_form` applies the bounds to a form built elsewhere (a django-filter FilterSet's form):
every list page goes through it (`common.lists.render_list`), so a filter added later is
bounded without anyone remembering to.
"""

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

YEAR_MIN = 2000
YEAR_MAX = 2100
FIRST_DAY = dt.date(YEAR_MIN, 1, 1)
LAST_DAY = dt.date(YEAR_MAX, 12, 31)
INT_MAX = 2_147_483_647  # the largest value every database's integer column holds
PAGE_MAX = 100_000
MAX_DIGITS = 12  # a number typed with more digits than this is not a number people use


class InputError(ValueError):
    """A parameter that cannot be used; the message is for the user."""


# full-width digits and signs as Chinese input methods type them (not ², ① and the like)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")


def _text(value: object, limit: int = 40) -> str:
    return str(value).translate(_FULL_WIDTH).strip()[:limit]


def parse_int(
    value: object, *, minimum: int = -INT_MAX, maximum: int = INT_MAX, name: str = ""
) -> int:
    """An integer written in ASCII or full-width digits, within [minimum, maximum]."""
    text = _text(value, 60)
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_DIGITS:
        raise InputError(_("“%(text)s” is not a whole number.") % {"text": text[:20]})
    number = int(text)
    if not minimum <= number <= maximum:
        raise InputError(
            _("%(name)s must be between %(min)s and %(max)s.")
            % {"name": name or _("The number"), "min": minimum, "max": maximum}
        )
    return number


def parse_year(value: object) -> int:
    """A year from 2000 to 2100."""
    text = _text(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 4:
        raise InputError(_("“%(text)s” is not a year; write e.g. 2024.") % {"text": text[:20]})
    return check_year(int(text))


def check_year(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InputError(
            _("The year must be between %(first)s and %(last)s.")
            % {"first": YEAR_MIN, "last": YEAR_MAX}
        )
    return year


def check_date(day: dt.date) -> dt.date:
    """A date inside the window the system reports on (2000-01-01 to 2100-12-31)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(
            _("The date %(date)s is outside %(first)s – %(last)s.")
            % {"date": day.isoformat(), "first": FIRST_DAY.isoformat(), "last": LAST_DAY}
        )
    return day


def latest_event_date(today: dt.date | None = None) -> dt.date:
    """The last day a thing that happened may be dated: the end of next year."""
    today = today or timezone.localdate()
    return dt.date(min(today.year + 1, YEAR_MAX), 12, 31)


def check_event_date(day: dt.date, today: dt.date | None = None) -> dt.date:
    """The date of something that happened (money received, a report, a contact, a stage
    change): inside the window and not after the end of next year."""
    check_date(day)
    latest = latest_event_date(today)
    if day > latest:
        raise InputError(
            _("The date %(date)s is too far in the future; it must be on or before %(latest)s.")
            % {"date": day.isoformat(), "latest": latest.isoformat()}
        )
    return day


def require_event_date(day: dt.date, today: dt.date | None = None) -> dt.date:
    """`check_event_date` for services: a `ValidationError` the page shows as it is. Bulk
    services give `today`, read once (the time zone lookup costs more than the check)."""
    from django.core.exceptions import ValidationError

    try:
        return check_event_date(day, today)
    except InputError as exc:
        raise ValidationError(str(exc), code="date") from None


def parse_date_param(value: object) -> dt.date:
    """A date parameter (2024-06-30, 2024/6/30, 2024年6月30日…) inside the window."""
    from .dates import DateError, parse_date

    try:
        day = parse_date(_text(value))
    except DateError as exc:
        raise InputError(str(exc)) from None
    return check_date(day)


def parse_choice(value: object, allowed: Iterable[str], default: str | None = None) -> str:
    """One of `allowed` (a sort key, a mode, an enumeration); `default` for anything else."""
    text = str(value)[:100]
    allowed = list(allowed)
    if text in allowed:
        return text
    if default is not None:
        return default
    raise InputError(
        _("“%(text)s” is not one of %(allowed)s.")
        % {"text": text[:20], "allowed": "、".join(allowed)}
    )


def parse_page(value: object) -> int:
    """A page number: 1 for anything that is not one (the paginator clamps the rest)."""
    try:
        return parse_int(value, minimum=1, maximum=PAGE_MAX)
    except InputError:
        return 1


def query_value(params: Mapping, name: str, parse, default=None):
    """(value, error) of one query parameter: the default when it is absent or bad."""
    raw = params.get(name)
    if raw in (None, ""):
        return default, None
    try:
        return parse(raw), None
    except InputError as exc:
        return default, str(exc)


# --- Text hygiene (design §10) ------------------------------------------------------------

# Control characters (C0, DEL, C1) but tab and newline: nobody types them, documents cannot
# hold most of them (XML 1.0 refuses C0), and they hide in a 文号 or a title. A carriage
# return is part of a newline as a browser sends a textarea (CRLF); alone it is refused.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def control_character(text: str) -> str | None:
    """The first control character of `text` that no text input takes, or None."""
    if text.isprintable():  # nearly every text: one C-speed scan and done
        return None
    found = _CONTROL.search(text)
    return found.group()[0] if found else None


def control_character_message(char: str, where: str = "") -> str:
    code = f"U+{ord(char):04X}"
    if where:
        return _(
            "%(where)s contains an invisible control character (%(code)s); remove it and try again."
        ) % {"where": where, "code": code}
    return _(
        "The text contains an invisible control character (%(code)s); remove it and try again."
    ) % {"code": code}


def refuse_control_characters(value: object) -> None:
    """Validator of every text a form takes (installed on Django's `forms.CharField` by
    `common.apps`, so a form written later has it without anyone remembering to)."""
    from django.core.exceptions import ValidationError

    if isinstance(value, str) and (char := control_character(value)) is not None:
        raise ValidationError(control_character_message(char), code="control_character")


def check_text_values(data: object, where: str = "") -> None:
    """Refuse (`InputError`) a control character anywhere in a request body's values or
    keys, naming the field."""
    if isinstance(data, str):
        if (char := control_character(data)) is not None:
            raise InputError(control_character_message(char, where))
    elif isinstance(data, Mapping):
        for key, value in data.items():
            check_text_values(str(key), str(key)[:40])
            check_text_values(value, str(key)[:40])
    elif isinstance(data, list | tuple):
        for value in data:
            check_text_values(value, where)


# Characters a 文号 key drops (design §10): invisible ones — control (Cc), format (Cf),
# combining marks (Mn: U+034F, the variation selectors U+FE0F…), separators (Z*) — and the
# blanks that look like nothing: the Hangul fillers and the blank Braille pattern.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Mn", "Zs", "Zl", "Zp"})
BLANK_LOOKALIKES = "\u115f\u1160\u3164\uffa0\u2800"


@functools.cache
def invisible_characters() -> re.Pattern:
    """A pattern of every invisible character (built once: marks and format characters
    live in planes 0, 1 and 14 only)."""
    ranges: list[list[int]] = []
    for plane in (range(0x20000), range(0xE0000, 0xE1000)):
        for point in plane:
            char = chr(point)
            if unicodedata.category(char) in INVISIBLE_CATEGORIES or char in BLANK_LOOKALIKES:
                if ranges and ranges[-1][1] == point - 1:
                    ranges[-1][1] = point
                else:
                    ranges.append([point, point])
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{body}]+")


def drop_invisible(text: str) -> str:
    """`text` without any invisible character (see `invisible_characters`)."""
    return invisible_characters().sub("", text)


# --- Form fields ---------------------------------------------------------------------------


class BoundedIntegerField(forms.IntegerField):
    """An integer that always has bounds (the database's integer range unless narrower):
    `sort_order=99999999999999999999` is a form error, not an overflow at save time."""

    def __init__(self, *, min_value: int | None = 0, max_value: int | None = INT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) > MAX_DIGITS + 1:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class YearField(BoundedIntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(**kwargs)


MISSING_VERSION = gettext_lazy(
    "This form is out of date or incomplete (its version is missing); reload the page and "
    "make the change again."
)


class VersionField(BoundedIntegerField):
    """The version of the record an edit form was read at (optimistic locking). Required:
    an edit without it could overwrite someone else's change unseen."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
        self.error_messages = {
            **self.error_messages,
            "required": MISSING_VERSION,
            "invalid": MISSING_VERSION,
            "min_value": MISSING_VERSION,
            "max_value": MISSING_VERSION,
        }


def parse_id(value: object) -> int:
    """The id of a record, as a form or a link sends it: a positive whole number of at most
    `MAX_DIGITS` digits (`int()` of 4,301 digits raises, and no column holds 20)."""
    return parse_int(value, minimum=1, name=_("The id"))


def _integer_key(queryset, to_field_name: str | None) -> bool:
    """Whether records of `queryset` are chosen by an integer column."""
    key = to_field_name or "pk"
    field = queryset.model._meta.pk if key == "pk" else queryset.model._meta.get_field(key)
    return field.get_internal_type() in INTEGER_TYPES


def _sane_integer(value: object) -> bool:
    text = str(value)[:40].strip()
    digits = text[1:] if text[:1] in "+-" else text
    return digits.isascii() and digits.isdigit() and len(digits) <= 18


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A record chosen by id: an id no integer column holds (20 digits, or 4,301) is an invalid
    choice before any database or `int()` sees it."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, self.queryset.model)
            and _integer_key(self.queryset, self.to_field_name)
            and not _sane_integer(value)
        ):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ScopedModelChoiceField(BoundedModelChoiceField):
    """A record chosen from the rows the user may use (their unit's projects, work items,
    people…). An id of a record that exists but is not among them is refused like any invalid
    choice, and the attempt is audited as a scope denial (`security.scope_denied`), here once
    for every form (issue 25 point 3): a forged id in a form is as much a denial as in a URL."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "invalid_choice" and value not in self.empty_values:
                report_choice_outside_scope(self.queryset, value, self.to_field_name)
            raise


def report_choice_outside_scope(queryset, value: object, to_field_name: str | None = None):
    """Announce (`common.querysets.scope_denied`) a chosen record that exists outside
    `queryset`; the actor is the request's user. A queryset scoped by `visible_to` reports its
    own misses (`ScopedQuerySet.get`): nothing is sent twice."""
    from django.db import DatabaseError, transaction

    from .permissions import CHANGE
    from .querysets import scope_denied

    if getattr(queryset, "_scope", None) is not None:
        return
    if _integer_key(queryset, to_field_name) and not _sane_integer(value):
        return  # no record can have that id
    model = queryset.model
    try:
        with transaction.atomic(using=queryset.db):  # a savepoint: never break the caller
            found = (
                model._base_manager.using(queryset.db)
                .filter(**{to_field_name or "pk": str(value)[:100]})
                .first()
            )
    except (DatabaseError, ValueError, TypeError, ArithmeticError, forms.ValidationError):
        return
    if found is not None:
        scope_denied.send(sender=model, user=None, action=CHANGE, obj=found)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several records chosen by id: an id no integer column holds is an invalid choice (the
    database would otherwise be asked `id IN (99999999999999999999)` and overflow)."""

    def _check_values(self, value):
        if _integer_key(self.queryset, self.to_field_name):
            for pk in value if isinstance(value, list | tuple | set) else [value]:
                if not _sane_integer(pk):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": str(pk)[:20]},
                    )
        return super()._check_values(value)


INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


def _date_validators(field: forms.Field, last: dt.date = LAST_DAY) -> None:
    message = _("Choose a date from %(first)s to %(last)s.") % {
        "first": FIRST_DAY.isoformat(),
        "last": last.isoformat(),
    }
    field.validators = [
        *field.validators,
        MinValueValidator(FIRST_DAY, message=message),
        MaxValueValidator(last, message=message),
    ]


def _bound_number(field: forms.Field, minimum: int, maximum: int) -> None:
    if getattr(field, "max_value", None) is None or field.max_value > maximum:
        field.max_value = maximum
        field.validators.append(MaxValueValidator(maximum))
    if getattr(field, "min_value", None) is None or field.min_value < minimum:
        field.min_value = minimum
        field.validators.append(MinValueValidator(minimum))


def harden_form(form: forms.BaseForm, years: Iterable[str] = ()) -> forms.BaseForm:
    """Bound every number and date field of a form built elsewhere (a FilterSet's form):
    fields named in `years` (or ending in "year") to 2000–2100, other numbers to the
    database's integer range, dates to the window. Idempotent."""
    years = set(years)
    for name, field in form.fields.items():
        if getattr(field, "_luoshi_hardened", False):
            continue
        field._luoshi_hardened = True
        if type(field) is forms.ModelMultipleChoiceField:
            field.__class__ = BoundedModelMultipleChoiceField  # same state, bounded ids
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            _date_validators(field)
        elif isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
            if name in years or name.endswith("year"):
                _bound_number(field, YEAR_MIN, YEAR_MAX)
            else:
                _bound_number(field, -INT_MAX, INT_MAX)
            if isinstance(field, forms.DecimalField) and field.max_digits is None:
                field.max_digits = MAX_DIGITS + 6
    return form


class VersionedFormMixin:
    """A form with a `VersionField`: its error (a missing or tampered version) is shown at the
    top of the form, where a hidden field's error would otherwise stay unseen."""

    def full_clean(self):
        super().full_clean()
        errors = getattr(self, "_errors", None)
        if errors and "version" in errors:
            moved = errors.pop("version")
            if forms.forms.NON_FIELD_ERRORS not in errors:
                errors[forms.forms.NON_FIELD_ERRORS] = self.error_class(error_class="nonfield")
            errors[forms.forms.NON_FIELD_ERRORS].extend(moved)
            if hasattr(self, "cleaned_data"):
                self.cleaned_data.pop("version", None)


# --- JSON bodies -----------------------------------------------------------------------------

JSON_MAX_BYTES = 1_000_000
JSON_MAX_DEPTH = 20


def _json_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (checked before parsing: the parser
    itself would recurse 100,000 brackets deep)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > JSON_MAX_DEPTH:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str):
    raise InputError(_("%(name)s is not a number JSON allows.") % {"name": name})


def _finite_number(text: str):
    from decimal import Decimal

    number = Decimal(text)
    if not number.is_finite() or abs(number.adjusted()) > 30:
        raise InputError(_("The number %(text)s is out of range.") % {"text": text[:20]})
    return number


def parse_json_object(body: bytes) -> dict:
    """A JSON request body that must be an object of plain values: NaN, Infinity, numbers
    out of range, deep nesting and anything but an object are refused with a message."""
    import json

    if len(body) > JSON_MAX_BYTES:
        raise InputError(_("The body is too large."))
    try:
        text = body.decode("utf-8") if body else "{}"
    except UnicodeDecodeError:
        raise InputError(_("The body is not UTF-8 text.")) from None
    if _json_depth(text) > JSON_MAX_DEPTH:
        raise InputError(_("The JSON is nested too deeply."))
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_number)
    except InputError:
        raise
    except (ValueError, RecursionError):
        raise InputError(_("The body is not JSON.")) from None
    if not isinstance(data, dict):
        raise InputError(_('The body must be a JSON object, e.g. {"amount": "1.2亿"}.'))
    if _has_nul(data):
        raise InputError(_("The request contains a NUL character, which no field accepts."))
    check_text_values(data)
    return data


def check_plain_values(data: Mapping) -> Mapping:
    """Each value of a request's fields is a text, a number or nothing, never a list/object."""
    if any(isinstance(value, list | dict) for value in data.values()):
        raise InputError(_("Each field must be a text or a number."))
    return data


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False
