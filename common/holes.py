"""Holes a template leaves for values put in per response, in a body that may be cached.

A cached page body cannot hold the viewer's CSRF token (each response has its own), nor the
parts that are cached apart from it. The body is rendered with a mark at each of those places
and kept split at the marks; each response fills the holes. A mark is made of a random nonce
drawn for that one rendering, so no stored text shown in the body can contain it: a work item
titled like a mark is shown as typed, never with the viewer's token in it (issue 25 point 5),
which a fixed placeholder replaced with `str.replace` over the whole body could not promise.
"""

import re
import secrets
from collections.abc import Mapping

from django.utils.safestring import SafeString, mark_safe

#: a rendered body split at its holes: text, hole name, text, hole name, …, text
Body = tuple[str, ...]


class Holes:
    """The marks of one rendering: `mark(name)` where the template leaves a hole, then
    `split(text)` the rendered text into a Body."""

    def __init__(self) -> None:
        # letters, digits and hyphens only: HTML escaping leaves a mark as it is
        self.prefix = f"luoshi-hole-{secrets.token_hex(16)}-"
        self._pattern = re.compile(re.escape(self.prefix) + r"([a-z_]+)-end")

    def mark(self, name: str) -> SafeString:
        return mark_safe(f"{self.prefix}{name}-end")  # noqa: S308 — letters and digits only

    def split(self, text: str) -> Body:
        return tuple(self._pattern.split(text))

    def embed(self, body: Body) -> SafeString:
        """Another Body (cached apart, with its own marks) as text of this rendering: its
        holes become this rendering's marks, to be filled with the rest."""
        return fill(body, {name: self.mark(name) for name in body[1::2]})


def fill(body: Body, values: Mapping[str, str]) -> SafeString:
    """The body with each hole filled: only at the places the template marked."""
    parts = list(body)
    parts[1::2] = [values[name] for name in body[1::2]]
    return mark_safe("".join(parts))  # noqa: S308 — the template's own output and our values
