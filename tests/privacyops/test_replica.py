"""A read replica (issue 16): reports, exports and the audit trail read from it when one is
configured; every write, and every other read, goes to the primary. Tested with Django's test
mirror: the replica is the test database seen through its own connection."""

import datetime as dt

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from privacyops.audit.models import AccessKind, AccessLog
from privacyops.db import REPLICA, ReplicaRouter, replica_reads
from privacyops.exports import services as export_services
from privacyops.exports.models import Export
from requests_app.models import Request
from requests_app.seeds import JUO
from tests.factories import register

D = dt.date.fromisoformat


def test_the_router_sends_reads_in_the_block_to_the_replica_only_when_enabled(settings):
    router = ReplicaRouter()

    settings.REPLICA_READS = True
    assert router.db_for_read(Request) is None
    with replica_reads():
        assert router.db_for_read(Request) == REPLICA
        assert router.db_for_write(Request) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Request) is None
    settings.REPLICA_READS = False
    with replica_reads():
        assert router.db_for_read(Request) is None
    assert router.allow_migrate(REPLICA, "requests_app") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "requests_app") is None


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_reports_exports_and_the_audit_trail_read_from_the_replica(
    client, settings, travel, desk_user, manager_user, policies
):
    """The ledger, the statistics, the audit trail and its CSV read on the replica's connection; the
    access-log rows they write go to the primary; the case page stays on the primary."""
    settings.REPLICA_READS = True
    travel("2026-11-02")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-02"))
    client.force_login(manager_user)
    query = f"?organization={case.organization_id}&first=2026-11-01&last=2026-11-30"
    pages = {
        "ledger": "/admin/requests_app/request/ledger/" + query,
        "statistics": "/admin/requests_app/request/statistics/" + query,
        "audit trail": "/admin/audit/",
    }
    for name, url in pages.items():
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        ):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, name
        assert replica.captured_queries, f"{name}: nothing read from the replica"
        assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in replica), name
        if name.startswith("ledger"):
            assert case.reference.encode() in body, name
            assert any(q["sql"].lstrip().upper().startswith("INSERT") for q in primary), name  # the access log
    # The export jobs (issue 16) read on the replica too; their own row is written on the primary.
    assert client.post("/admin/requests_app/request/ledger/" + query, {"format": "csv"}).status_code == 302
    assert client.post("/admin/audit/export.csv").status_code == 302
    for export in Export.objects.using(DEFAULT_DB_ALIAS).order_by("pk"):
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        ):
            export_services.export_run(export_id=export.pk)
        assert replica.captured_queries, f"{export.kind}: nothing read from the replica"
        assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in replica)
        assert any(q["sql"].lstrip().upper().startswith("UPDATE") for q in primary)  # the job's status
        response = client.get(f"/admin/exports/{export.pk}/download/")
        body = b"".join(response.streaming_content)
        assert response.status_code == 200 and case.reference.encode() in body, export.kind
    kinds = set(AccessLog.objects.using(DEFAULT_DB_ALIAS).values_list("kind", flat=True))
    assert {AccessKind.LEDGER, AccessKind.LEDGER_EXPORT, AccessKind.AUDIT, AccessKind.EXPORT} <= kinds

    with CaptureQueriesContext(connections[REPLICA]) as replica:
        assert client.get(f"/admin/requests_app/request/{case.pk}/change/").status_code == 200
    assert not replica.captured_queries  # the case page reads the primary
