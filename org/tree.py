"""The unit tree's one rule, as pure functions: no unit is placed under itself or its own
sub-units. `save_unit` and the ledger import both check it with `find_loops`."""

from collections.abc import Hashable, Mapping
from typing import TypeVar

from django.utils.translation import gettext_lazy as _

# What a unit placed in a loop is told, by the unit form and the ledger import alike.
LOOP_MESSAGE = _("A unit cannot be placed under itself or its own sub-units.")

K = TypeVar("K", bound=Hashable)


def find_loops(existing: Mapping[K, K | None], proposed: Mapping[K, K | None]) -> set[K]:
    """The units of `proposed` whose new parent link closes a loop.

    `existing` maps each unit to its parent (None: a top unit) as stored; `proposed` maps the
    units being created or moved to their new parent, and overrides `existing`. A proposed
    unit is in a loop when walking up from it leads back to it (a unit under itself included).
    Units merely hanging below a loop are not reported: their own link is not the fault.
    """
    parents = {**existing, **proposed}
    rooted: set[K] = set()  # units known to lead up to a top unit (keeps a deep tree linear)
    looping: set[K] = set()
    for start in proposed:
        seen = {start}
        node = parents.get(start)
        while node is not None and node not in seen and node not in rooted:
            seen.add(node)
            node = parents.get(node)
        if node is None or node in rooted:
            rooted |= seen
        elif node == start:
            looping.add(start)
    return looping
