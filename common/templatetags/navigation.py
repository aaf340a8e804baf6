from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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
