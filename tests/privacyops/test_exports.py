"""Export jobs (issue 16): the desk asks for a long file, a worker makes it as that user, the user
follows its progress and downloads it; nobody else can; it is deleted after EXPORT_KEEP_DAYS."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from privacyops import sealed_files
from privacyops.audit.models import AccessKind, AccessLog
from privacyops.exports import services
from privacyops.exports.models import Export, ExportStatus
from requests_app.seeds import COPRO, JUO
from tests.exports import content, made, trail_rows
from tests.factories import register

D = dt.date.fromisoformat
TRAIL_EXPORT = "/admin/audit/export.csv"
LEDGER = "/admin/requests_app/request/ledger/"


@pytest.fixture
def cases(travel, desk_user, policies):
    travel("2026-11-02")
    return [
        register(desk_user, policies[JUO], reached_on=D("2026-11-02")),
        register(desk_user, policies[JUO], reached_on=D("2026-11-02")),
        register(desk_user, policies[COPRO], reached_on=D("2026-11-02")),
    ]


def ledger_query(case) -> str:
    return f"?organization={case.organization_id}&first=2026-11-01&last=2026-11-30"


def test_the_audit_trail_export_runs_in_the_background_with_its_progress(client, cases, manager_user):
    """Started with a POST, the export waits for a worker; the worker writes its progress (rows of
    the trail in all, rows written) and the file; the user downloads the same rows the trail holds."""
    client.force_login(manager_user)

    response = client.post(f"{TRAIL_EXPORT}?case={cases[0].reference}", follow=True)

    export = Export.objects.get()
    assert response.redirect_chain == [(f"{reverse('admin:exports')}?started={export.pk}", 302)]
    assert (export.status, export.created_by, export.rows_done, export.rows_total) == (
        ExportStatus.QUEUED,
        manager_user,
        0,
        None,
    )
    page = response.content.decode()
    assert "監査証跡" in page and "作成待ち（順番待ち）" in page  # what it is and that it waits
    assert export.title.startswith(f"監査証跡 (受付番号: {cases[0].reference}) ")  # which file it is
    assert '<meta http-equiv="refresh"' in page  # the page follows it

    seen = []
    original = services._Progress.__call__

    def watch(self, done, total=None):
        seen.append((done, total))
        return original(self, done, total)

    services._Progress.__call__ = watch
    try:
        services.export_run(export_id=export.pk)
    finally:
        services._Progress.__call__ = original

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.size > 0
    assert seen[0] == (0, export.rows_total) and export.rows_done == export.rows_total > 0
    assert [done for done, _ in seen[1:]] == list(range(1, export.rows_total + 1))
    assert export.expires_at == export.finished_at + dt.timedelta(days=7)
    page = client.get(reverse("admin:exports")).content.decode()
    assert "ダウンロード" in page and '<meta http-equiv="refresh"' not in page

    response = client.get(reverse("admin:export_download", args=[export.pk]))
    rows = trail_rows(content(response).decode("utf-8-sig"))
    assert {row["case"] for row in rows} <= {cases[0].reference, ""} and rows
    assert response["Content-Disposition"] == f'attachment; filename="{export.download_name}"'
    assert export.download_name.startswith("audit-") and export.download_name.endswith(".csv")
    assert AccessLog.objects.filter(user=manager_user, kind=AccessKind.EXPORT).count() == 1


def test_a_job_delivered_twice_is_made_once(client, cases, manager_user):
    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    export = Export.objects.get()

    assert services.export_run(export_id=export.pk).status == ExportStatus.DONE
    name = Export.objects.get().file_name
    assert services.export_run(export_id=export.pk) is None
    assert Export.objects.get().file_name == name


def test_only_the_user_who_asked_downloads_the_file(client, cases, manager_user, manager_user2, desk_user):
    """Another manager, even of the same organizations, gets a 404 (never told it exists), and
    does not see it in their list; nothing is logged for them."""
    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    export = Export.objects.get()
    services.export_run(export_id=export.pk)

    for other in (manager_user2, desk_user):
        client.force_login(other)
        assert client.get(reverse("admin:export_download", args=[export.pk])).status_code == 404
        assert export.title not in client.get(reverse("admin:exports")).content.decode()
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()


def test_the_job_reads_as_its_user_and_the_download_rechecks_the_scope(client, cases, desk_user):
    """A ledger file holds the cases of the organization it was asked for, read as the user who
    asked; once that user no longer belongs to the organization, the file is not served."""
    client.force_login(desk_user)
    client.post(LEDGER + ledger_query(cases[0]), {"format": "csv"})
    text = content(made(client)).decode("utf-8-sig")
    assert cases[0].reference in text and cases[1].reference in text and cases[2].reference not in text

    export = Export.objects.get()
    cases[0].organization.staff.remove(desk_user)
    assert client.get(reverse("admin:export_download", args=[export.pk])).status_code == 403
    assert AccessLog.objects.filter(kind=AccessKind.LEDGER_EXPORT).count() == 1  # the first download only


def test_a_job_whose_user_lost_the_permission_fails_with_the_reason(client, cases, manager_user):
    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    export = Export.objects.get()
    manager_user.groups.clear()  # no longer a manager: may not read the trail

    services.export_run(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and not export.file_name
    assert export.error == "このファイルを依頼した利用者には、もう作成の権限がありません。"
    page = client.get(reverse("admin:exports")).content.decode()
    assert "失敗" in page and export.error in page


def test_files_are_deleted_after_their_kept_period(client, cases, manager_user, settings):
    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    export = Export.objects.get()
    services.export_run(export_id=export.pk)
    export.refresh_from_db()
    stored = export.file_name
    assert services.storage().exists(stored)

    assert services.exports_purge(now=export.finished_at + dt.timedelta(days=6)) == 0
    assert services.storage().exists(stored)
    assert services.exports_purge(now=export.finished_at + dt.timedelta(days=7)) == 1

    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and export.file_name == "" and export.params == {}
    assert not services.storage().exists(stored)
    response = client.get(reverse("admin:export_download", args=[export.pk]), follow=True)
    assert "保存期間を過ぎて削除されました" in response.content.decode()
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()


def test_a_job_no_worker_finished_is_marked_failed(client, cases, manager_user, settings):
    """A file still waiting after EXPORT_WAIT_WARNING_MINUTES: the page says no worker is taking
    files; after EXPORT_STUCK_HOURS it failed, with the reason (never "deleted": no file was made)."""
    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    export = Export.objects.get()
    assert "作成が始まっていません" not in client.get(reverse("admin:exports")).content.decode()
    Export.objects.filter(pk=export.pk).update(created_at=export.created_at - dt.timedelta(minutes=6))
    assert "作成が始まっていません" in client.get(reverse("admin:exports")).content.decode()

    later = export.created_at + dt.timedelta(hours=settings.EXPORT_STUCK_HOURS, minutes=1)
    services.exports_purge(now=later)

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error == "ワーカーが時間内にこのファイルを完成させませんでした。もう一度依頼してください。"
    assert export.expires_at == later + dt.timedelta(days=7)
    assert services.export_run(export_id=export.pk) is None  # a late delivery does nothing
    services.exports_purge(now=later + dt.timedelta(days=7))
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.params == {}


def test_a_waiting_file_can_be_cancelled_and_a_made_one_deleted_at_once(
    client, cases, manager_user, manager_user2, django_capture_on_commit_callbacks
):
    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    client.post(TRAIL_EXPORT)
    waiting, made_one = Export.objects.order_by("pk")
    services.export_run(export_id=made_one.pk)
    made_one.refresh_from_db()
    stored = made_one.file_name

    client.force_login(manager_user2)  # another user's export: never found
    assert client.post(reverse("admin:export_discard", args=[waiting.pk])).status_code == 404
    client.force_login(manager_user)
    assert client.get(reverse("admin:export_discard", args=[waiting.pk])).status_code == 405

    page = client.post(reverse("admin:export_discard", args=[waiting.pk]), follow=True).content.decode()
    assert "の作成を取り消しました" in page and "取消済" in page
    assert services.export_run(export_id=waiting.pk) is None  # a worker taking it later does nothing

    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row says so
        page = client.post(reverse("admin:export_discard", args=[made_one.pk]), follow=True).content.decode()
    assert "を削除しました" in page
    made_one.refresh_from_db()
    assert (made_one.status, made_one.file_name, made_one.params) == (ExportStatus.EXPIRED, "", {})
    assert not services.storage().exists(stored)
    assert client.get(reverse("admin:export_download", args=[made_one.pk])).status_code == 302


def test_a_user_has_a_bounded_number_of_files_waiting(client, cases, manager_user, settings):
    settings.EXPORT_MAX_ACTIVE = 2
    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    client.post(TRAIL_EXPORT)

    response = client.post(TRAIL_EXPORT, follow=True)

    assert Export.objects.count() == 2
    assert "作成中のファイルがすでに2件あります" in response.content.decode()


def test_starting_needs_the_permission_and_a_post(client, cases, desk_user, manager_user):
    client.force_login(desk_user)
    assert client.post(TRAIL_EXPORT).status_code == 403
    with pytest.raises(PermissionDenied):
        services.export_start(actor=desk_user, kind="audit_trail", title="x", params={})
    client.force_login(manager_user)
    assert client.get(TRAIL_EXPORT).status_code == 405
    assert not Export.objects.exists()


def test_a_long_file_is_sealed_in_pieces_and_read_back_whole(monkeypatch, tmp_path):
    """Neither making nor reading a file holds more than one piece (bounded memory)."""
    monkeypatch.setattr(sealed_files, "PIECE_BYTES", 1000)
    chunks = [bytes([i % 251]) * 777 for i in range(50)]
    path = tmp_path / "file.sealed"
    with path.open("wb") as out:
        assert sealed_files.seal_pieces(iter(chunks), out) == 50 * 777
    assert len(path.read_bytes().splitlines()) == 39  # ceil(38,850 / 1,000) pieces
    assert b"\x05" * 777 not in path.read_bytes()  # sealed
    with path.open("rb") as handle:
        pieces = list(sealed_files.unseal_pieces(handle))
    assert max(len(p) for p in pieces) == 1000 and b"".join(pieces) == b"".join(chunks)


def test_an_empty_export_is_still_a_file(tmp_path):
    path = tmp_path / "empty.sealed"
    with path.open("wb") as out:
        assert sealed_files.seal_pieces(iter([]), out) == 0
    with path.open("rb") as handle:
        assert b"".join(sealed_files.unseal_pieces(handle)) == b""


def test_the_limits_of_a_workbook_are_checked_by_the_job_too(client, cases, desk_user, monkeypatch):
    """A period that grew past the workbook's limit after it was asked for fails with the count."""
    from requests_app import exports

    client.force_login(desk_user)
    client.post(LEDGER + ledger_query(cases[0]), {"format": "xlsx"})
    monkeypatch.setitem(exports.LEDGER_LIMITS, "xlsx", 1)

    export = services.export_run(export_id=Export.objects.get().pk)

    assert export.status == ExportStatus.FAILED
    assert "この期間の請求は2件です" in export.error


def test_exports_are_listed_newest_first_with_what_they_are(client, cases, manager_user):
    client.force_login(manager_user)
    client.post(LEDGER + ledger_query(cases[0]), {"format": "pdf"})
    client.post(TRAIL_EXPORT)

    page = client.get(reverse("admin:exports"))

    titles = [export.title for export in page.context["exports"]]
    assert titles[0].startswith("監査証跡") and titles[1].startswith("受付台帳")
    assert "受付台帳（PDF）" in page.content.decode()
    assert timezone.localdate().isoformat() in titles[0]
