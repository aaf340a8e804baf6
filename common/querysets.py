"""Permission scoping in one place: which units' records a user may view or change.

Every model family's queryset derives from `ScopedQuerySet` and names the path from the model
to its unit; views, forms, exports, bulletins, the cockpit and the API all call
`Model.objects.visible_to(user, action)` and nothing else decides visibility.
"""

import functools

from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.dispatch import Signal

from .permissions import ADMIN_ROLES, CHANGE, VIEW, Role, role_of

ALL = "all"

#: sent when a scoped lookup (`visible_to(user).get(...)`, hence every `get_object_or_404`)
#: misses a record that exists outside the user's scope: the answer stays a 404, the attempt
#: is recorded in the audit trail (audit.apps connects it; common never imports audit)
scope_denied = Signal()


def unit_scope(user, action: str = VIEW, extra_roles: frozenset[str] = frozenset()):
    """`ALL`, or a queryset/list of unit ids the user may act on for `action`."""
    role = role_of(user)
    if role is None:
        return []
    if role == Role.OFFICE or role in extra_roles:
        return ALL
    if role in (Role.UNIT_HEAD, Role.UNIT_OFFICER):
        return [user.membership.unit_id]
    if role == Role.LEADER and action == VIEW:
        leader = getattr(user, "leader", None)
        if leader is None:
            return []
        return leader.oversees.values("pk")
    return []


def _marks_scope(visible_to):
    """Wrap a `visible_to` so the rows it returns remember whose scope they are."""

    @functools.wraps(visible_to)
    def marked(self, user, action: str = VIEW, *args, **kwargs):
        scoped = visible_to(self, user, action, *args, **kwargs)._chain()
        scoped._scope = (user, action)
        return scoped

    return marked


class ScopedQuerySet(models.QuerySet):
    """A model family's scoping, declared: where its unit is, and who else sees it.

    - `unit_path`: the lookup from the model to its `org.Unit` (e.g. "unit", "target__unit",
      "assignments__unit", "pk");
    - `leader_path`: optionally, the lookup to a `Leader` whose rows that leader also reads
      (e.g. "lead_leader": a leader reads the items they lead, whatever the units);
    - `public_to_business`: a published record (policies, guides, bulletins): every business
      role reads it, the office changes it;
    - `roles_seeing_all`: roles besides the office that see every row for an action.
    """

    unit_path = "unit"
    leader_path: str | None = None
    public_to_business = False
    roles_seeing_all: dict[str, frozenset[str]] = {}

    _scope: tuple | None = None  # (user, action) once `visible_to` has scoped the rows

    def _clone(self):
        clone = super()._clone()
        clone._scope = self._scope
        return clone

    def get(self, *args, **kwargs):
        try:
            return super().get(*args, **kwargs)
        except self.model.DoesNotExist:
            if self._scope is not None:
                self._report_scope_denial(args, kwargs)
            raise

    def _report_scope_denial(self, args, kwargs) -> None:
        """The record asked for exists but lies outside the user's scope: say so (once, here,
        for every view, form and API call that looks records up through `visible_to`)."""
        user, action = self._scope
        if not getattr(user, "is_authenticated", False):
            return
        try:
            with transaction.atomic(using=self.db):  # a savepoint: never break the caller
                found = self.model._base_manager.using(self.db).filter(*args, **kwargs).first()
                if found is None:
                    return  # nothing there at all: a plain 404
                scoped = self.model._default_manager.using(self.db).visible_to(user, action)
                if scoped.filter(pk=found.pk).exists():
                    return  # in scope; another condition of the query left it out
        except (DatabaseError, ValueError, TypeError, ArithmeticError):
            return  # a lookup no record can match (a hostile value): a plain 404
        scope_denied.send(sender=self.model, user=user, action=action, obj=found)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # a family that writes its own `visible_to` (leaders, dispatch rounds…) is marked too
        if "visible_to" in cls.__dict__:
            cls.visible_to = _marks_scope(cls.__dict__["visible_to"])

    def visible_to(self, user, action: str = VIEW):
        role = role_of(user)
        if self.public_to_business:
            if role is None or role in ADMIN_ROLES:
                return self.none()
            return self if action == VIEW or role == Role.OFFICE else self.none()
        scope = unit_scope(user, action, self.roles_seeing_all.get(action, frozenset()))
        if scope == ALL:
            return self
        condition = Q(**{f"{self.unit_path}__in": scope})
        leader = getattr(user, "leader", None) if role == Role.LEADER else None
        if self.leader_path and action == VIEW and leader is not None:
            condition |= Q(**{self.leader_path: leader})
        elif isinstance(scope, list) and not scope:
            return self.none()
        if "__" in self.unit_path or self.leader_path:
            # a to-many path would repeat rows; filter by primary key instead
            return self.filter(pk__in=self.model._base_manager.filter(condition).values("pk"))
        return self.filter(condition)

    visible_to = _marks_scope(visible_to)

    def changeable_by(self, user):
        return self.visible_to(user, CHANGE)


class UnitOwnedQuerySet(ScopedQuerySet):
    """Records that belong to one unit (receipts, projects, reports, contacts…)."""

    unit_path = "unit"


class PublishedQuerySet(ScopedQuerySet):
    """Published records: every business role reads them, the office changes them."""

    public_to_business = True
