from functools import lru_cache
from types import SimpleNamespace

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str) -> str:
    """A menu link, marked current on its page; nothing when the page is not installed."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    current = request is not None and request.path.startswith(url) and url != "/"
    if current and url_name == "dashboard:cockpit":
        current = request.resolver_match and request.resolver_match.url_name == "cockpit"
    marker = mark_safe(' aria-current="page"') if current else ""
    return format_html('<a href="{}"{}>{}</a>', url, marker, label)


@register.simple_tag(takes_context=True)
def main_menu(context) -> str:
    """The main menu (nav.html) for this reader on this page. It depends on nothing but the
    role, the language and the page's path, so each combination is rendered once per process:
    twenty `reverse` calls fewer on every page."""
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    return _menu(
        bool(user is not None and user.is_authenticated),
        context.get("luoshi_role"),
        get_language(),
        request.path if request is not None else "",
        bool(match and match.url_name == "cockpit"),
    )


@lru_cache(maxsize=2048)
def _menu(authenticated: bool, role: str | None, language: str, path: str, cockpit: bool):
    from django.template.loader import render_to_string

    page = SimpleNamespace(
        path=path, resolver_match=SimpleNamespace(url_name="cockpit" if cockpit else None)
    )
    return mark_safe(  # noqa: S308 — our own template, rendered with autoescape
        render_to_string(
            "nav.html",
            {
                "request": page,
                "user": SimpleNamespace(is_authenticated=authenticated),
                "luoshi_role": role,
            },
        )
    )
