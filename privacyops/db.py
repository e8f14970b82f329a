"""Reads that may come from a read replica (issue 16): reports, exports and the audit trail.

With ``REPLICA_DATABASE_URL`` set, a second database alias ``replica`` exists and
``REPLICA_READS`` is on. Code that only reads — the request ledger, the statistics, the audit
trail and its export — runs inside ``replica_reads()``; ``ReplicaRouter`` then sends its reads to
the replica. Everything else, every write (the access-log row a report writes included) and every
read outside the block goes to ``default``. The replica is never migrated (it follows the primary).

A replica lags its primary by a moment: nothing that has just been written and must be read back
belongs in the block. Tests use Django's test mirror (``TEST["MIRROR"] = "default"``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"

_on_replica = contextvars.ContextVar("privacyops_replica_reads", default=False)


def replica_enabled() -> bool:
    return bool(getattr(settings, "REPLICA_READS", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Within the block, reads go to the replica when one is configured (else to ``default``)."""
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


def replica_stream(lines: Iterable) -> Iterator:
    """``lines`` read inside ``replica_reads`` as they are streamed (a streamed export runs after
    its view has returned)."""
    with replica_reads():
        yield from lines


def reads_from_replica(view):
    """A view that only reads (and may write its access-log row): its queries, the template it
    renders and the file it streams read from the replica when one is configured."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            response = view(*args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # a TemplateResponse renders lazily: here, inside the block
        if getattr(response, "streaming", False):
            response.streaming_content = replica_stream(response.streaming_content)
        return response

    return wrapped


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads inside ``replica_reads`` to the replica, all else default."""

    def db_for_read(self, model, **hints):
        return REPLICA if _on_replica.get() and replica_enabled() else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The same data: a row read from the replica may point at one from the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
