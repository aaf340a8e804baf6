"""The API's list filters are the pages' FilterSets (`funding.lists`, `policy.lists`,
`org.lists`): one definition of each list's filters serves its page, its Excel export and its
endpoint. Each endpoint declares the FilterSet's parameters (for the OpenAPI document) from
the FilterSet itself; the values are cleaned by the FilterSet's form, and a value it refuses
is a 400 naming the parameter and why."""

from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import create_model

from common.lists import bind_filters


def query_schema(filterset: type, name: str) -> type[Schema]:
    """The query parameters of `filterset`, each an optional text its form cleans."""
    fields = {}
    with translation.override("en"):
        for key, item in filterset.base_filters.items():
            description = str(item.label or key)
            fields[key] = (str | None, Field(None, max_length=150, description=description))
    return create_model(name, __base__=Schema, **fields)


def apply_filters(request, filterset: type, queryset: QuerySet, query: Schema) -> QuerySet:
    """`queryset` (scoped with `visible_to` already) narrowed by the parameters given, as the
    list's page would; a refused value raises ValidationError (a 400 with its message)."""
    data = {key: value for key, value in query.dict().items() if value not in (None, "")}
    filters = bind_filters(filterset, data, queryset, SimpleNamespace(user=request.auth))
    if data and not filters.is_valid():
        problems = [
            _("%(name)s: %(error)s") % {"name": name, "error": " ".join(errors)}
            for name, errors in filters.form.errors.items()
        ]
        raise ValidationError(_("Invalid filter. %(problems)s") % {"problems": " ".join(problems)})
    return filters.qs
