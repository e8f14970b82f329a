"""The clock of a test day, and data a module builds once for its tests (Django's ``setUpTestData``)."""

import contextlib
import datetime as dt

from django.db import transaction


def tokyo(day: str, hour: int = 10) -> dt.datetime:
    """10:00 (or ``hour``) Tokyo time on ``day``."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@contextlib.contextmanager
def kept_for_the_module(django_db_blocker):
    """What a module-scoped fixture builds inside stays for the module's tests and is rolled back after
    the last one, as Django's ``setUpTestData`` does: one outer transaction, inside which each test's
    own transaction is a savepoint rolled back to this state when the test ends. Build inside
    ``django_db_blocker.unblock()``; for modules without transactional tests only."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
