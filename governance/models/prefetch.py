"""Filling a prefetch cache from rows a service already holds."""

from django.db import models


def attach_prefetched(instance: models.Model, relation: str, rows: list[models.Model]) -> None:
    """Give instance its related rows as prefetch_related(relation) would, without a query:
    a service that just wrote them, or loaded them under a lock, knows them. The rows must
    be in the order the readers expect (the prefetch's ordering)."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.pop(relation, None)  # else the manager would hand back the old rows
    # What Django's prefetch_one_level stores: the related manager's queryset, filled in.
    filled = getattr(instance, relation).all()
    filled._result_cache, filled._prefetch_done = rows, True
    cache[relation] = filled
