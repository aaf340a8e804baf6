from django.urls import path, re_path

from . import views
from .api import api, not_found

app_name = "api"
urlpatterns = [
    # django-ninja's own root view raises an HTML 404; ours answers JSON under the same name
    # (ninja reverses "api-root" to find where the API is mounted)
    *(p for p in api.urls[0] if getattr(p, "name", None) != "api-root"),
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
