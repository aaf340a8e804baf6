import functools

from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _

from . import corrections, views  # noqa: F401  (corrections: its routes join `api`)
from .api import api, not_found
from .errors import error_response


def json_405(view):
    """django-ninja answers a method an address does not take with a plain-text 405."""

    @functools.wraps(view)  # keeps csrf_exempt: the API checks CSRF itself for sessions
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            json_response = error_response(
                _("Method %(method)s is not allowed here.") % {"method": request.method[:10]},
                405,
            )
            json_response["Allow"] = response.get("Allow", "")
            return json_response
        return response

    return wrapped


def _ninja_patterns():
    for pattern in api.urls[0]:
        if getattr(pattern, "name", None) == "api-root":
            continue  # replaced below
        yield URLPattern(
            pattern.pattern, json_405(pattern.callback), pattern.default_args, pattern.name
        )


app_name = "api"
urlpatterns = [
    # django-ninja's own root view raises an HTML 404; ours answers JSON under the same name
    # (ninja reverses "api-root" to find where the API is mounted)
    *_ninja_patterns(),
    path("", not_found, name="api-root"),
    # anything else under /api/ answers JSON, never the HTML 404 page
    re_path(r"^(?P<rest>.*)$", not_found, name="not_found"),
]

# The token page is a page (HTML, session only), mounted at /api-tokens/ by luoshi/urls.py.
token_patterns = (
    [
        path("", views.token_list, name="token_list"),
        path("<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    ],
    "api_tokens",
)
