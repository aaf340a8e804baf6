from common.querysets import ScopedQuerySet


class DispatchQuerySet(ScopedQuerySet):
    unit_path = "requests__unit"
