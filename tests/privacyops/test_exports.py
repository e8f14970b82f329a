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


# ------------------------------------------------------------------------------------------
# From the attack pass: scope, broken files, hostile filters, time, races, tampering
# ------------------------------------------------------------------------------------------
def made_export(client, url, data=None):
    assert client.post(url, data or {}).status_code == 302
    export = Export.objects.latest("pk")
    services.export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    return export


@pytest.mark.parametrize("which", ["trail", "letters", "records"])
def test_a_file_is_not_served_once_the_user_lost_an_organization_it_holds(
    client, cases, manager_user, seed_orgs, which
):
    """Every kind of file is scoped (not only the ledger): the organizations it holds data of must
    still be the user's when it is downloaded; nothing is logged for the refusal."""
    from requests_app import services as desk_services
    from requests_app.models import LetterKind

    client.force_login(manager_user)
    if which == "trail":
        export = made_export(client, TRAIL_EXPORT)
    elif which == "records":
        export = made_export(client, "/admin/consents/provisionrecord/export.csv")
    else:
        letter = desk_services.letter_draft(actor=manager_user, case=cases[2], kind=LetterKind.ACKNOWLEDGEMENT)
        response = client.post(
            "/admin/requests_app/request/?status=all",
            {"action": "print_letters", "_selected_action": [cases[2].pk], "apply": "1", "letter": [letter.pk]},
        )
        assert response.status_code == 302
        export = Export.objects.latest("pk")
        services.export_run(export_id=export.pk)
        assert export.params["scope"] == [cases[2].organization_id] and export.params["cases"] == [cases[2].pk]
    before = AccessLog.objects.count()

    seed_orgs[COPRO].staff.remove(manager_user)

    assert client.get(reverse("admin:export_download", args=[export.pk])).status_code == 403
    assert AccessLog.objects.count() == before


@pytest.mark.parametrize("damage", ["missing", "broken", "empty"])
def test_a_missing_or_damaged_file_is_said_never_logged_as_downloaded(client, cases, manager_user, damage):
    client.force_login(manager_user)
    export = made_export(client, TRAIL_EXPORT)
    path = services.storage().path(export.file_name)
    if damage == "missing":
        services.storage().delete(export.file_name)
    else:
        with open(path, "wb") as handle:
            handle.write(b"" if damage == "empty" else b"gAAAAAnot-a-token\n")

    response = client.get(reverse("admin:export_download", args=[export.pk]), follow=True)

    assert "保存されたファイルが見つからないか、壊れています。もう一度依頼してください。" in response.content.decode()
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED


def test_a_file_past_its_kept_period_is_not_served_even_before_the_purge(client, cases, manager_user):
    client.force_login(manager_user)
    export = made_export(client, TRAIL_EXPORT)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client.get(reverse("admin:export_download", args=[export.pk]), follow=True)

    assert "保存期間を過ぎて削除されました" in response.content.decode()
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()


@pytest.mark.parametrize("query", ["retention_within=4000", "retention_within=abc", "q=%00"])
def test_a_list_filter_the_list_refuses_exports_nothing_and_says_why(client, cases, desk_user, query):
    client.force_login(desk_user)

    response = client.post(f"/admin/consents/provisionrecord/export.csv?{query}", follow=True)

    assert response.status_code == 200
    assert "何も出力していません" in response.content.decode()
    assert not Export.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_trail_date_out_of_range_is_an_error_on_the_page_and_no_export(client, cases, manager_user, day):
    client.force_login(manager_user)

    page = client.get("/admin/audit/", {"date_to": day})

    assert page.status_code == 200 and not page.context["valid"]
    assert "2000年から2100年までの日付を入力してください。" in page.content.decode()
    assert client.post(f"{TRAIL_EXPORT}?date_from={day}").status_code == 400
    assert not Export.objects.exists()


def test_when_the_broker_is_down_the_file_fails_at_once_and_holds_no_place(
    client, cases, manager_user, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from celery import current_app

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(current_app, "send_task", down)
    settings.EXPORT_MAX_ACTIVE = 1
    client.force_login(manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(TRAIL_EXPORT)

    export = Export.objects.get()
    assert export.status == ExportStatus.FAILED
    assert "ファイルの作成を依頼できませんでした" in export.error
    with django_capture_on_commit_callbacks(execute=True):
        client.post(TRAIL_EXPORT)  # not refused: the failed one holds no place
    assert Export.objects.count() == 2


def test_a_job_whose_worker_died_is_taken_over_and_the_page_stops_reloading(client, cases, manager_user, settings):
    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    export = Export.objects.get()
    long_ago = timezone.now() - dt.timedelta(minutes=settings.EXPORT_RUN_LEASE_MINUTES + 1)
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, started_at=long_ago, created_at=long_ago)
    assert '<meta http-equiv="refresh"' not in client.get(reverse("admin:exports")).content.decode()

    assert services.export_run(export_id=export.pk).status == ExportStatus.DONE


def test_a_job_cancelled_while_it_is_made_keeps_no_file(client, cases, manager_user, monkeypatch):
    """The run's last step only lands if the job is still its own: cancelled (or failed by the
    purge, or taken over) meanwhile, the made file is removed and the row left as it is."""
    from privacyops.exports import registry

    client.force_login(manager_user)
    client.post(TRAIL_EXPORT)
    export = Export.objects.get()
    spec = registry.get("audit_trail")

    def build_then_cancelled(job, progress):
        yield from spec.build(job, progress)
        Export.objects.filter(pk=job.pk).update(status=ExportStatus.CANCELLED)

    monkeypatch.setitem(
        registry._KINDS, "audit_trail", registry.Kind(**{**spec.__dict__, "build": build_then_cancelled})
    )
    stored_before = set(services.storage().listdir("")[1])

    assert services.export_run(export_id=export.pk) is None

    export.refresh_from_db()
    assert export.status == ExportStatus.CANCELLED and export.file_name == ""
    assert set(services.storage().listdir("")[1]) == stored_before


def test_the_workbook_keeps_its_rows_in_a_private_folder_removed_even_on_failure(client, cases, desk_user, monkeypatch):
    """openpyxl keeps a write-only sheet's rows in temporary files: never left in /tmp."""
    import os
    import tempfile

    from requests_app import reports

    seen = []
    rows = reports.ledger_rows

    def rows_then_fail(*args, **kwargs):
        seen.append(tempfile.gettempdir())
        yield from rows(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(reports, "ledger_rows", rows_then_fail)
    client.force_login(desk_user)
    client.post(LEDGER + ledger_query(cases[0]), {"format": "xlsx"})

    export = services.export_run(export_id=Export.objects.get().pk)

    assert export.status == ExportStatus.FAILED and "RuntimeError" in export.error
    assert seen and "po-export-" in seen[0] and seen[0] != tempfile.gettempdir()
    assert not os.path.exists(seen[0])


def test_sealed_pieces_dropped_reordered_cut_or_spliced_do_not_open(monkeypatch, tmp_path):
    monkeypatch.setattr(sealed_files, "PIECE_BYTES", 100)

    def sealed(data: bytes) -> list[bytes]:
        path = tmp_path / "f"
        with path.open("wb") as out:
            sealed_files.seal_pieces([data], out)
        return path.read_bytes().splitlines(keepends=True)

    def opened(lines) -> bytes:
        return b"".join(sealed_files.unseal_pieces(iter(lines)))

    pieces = sealed(bytes(range(256)) * 2)  # 512 bytes: 6 pieces
    assert len(pieces) == 6 and opened(pieces) == bytes(range(256)) * 2
    other = sealed(b"x" * 512)
    for damaged in (
        pieces[:-1],  # cut before the last piece
        pieces[:2] + pieces[3:],  # one dropped
        [pieces[1], pieces[0], *pieces[2:]],  # reordered
        pieces[:3] + other[3:],  # spliced from another file
        pieces + pieces[-1:],  # something after the last piece
    ):
        with pytest.raises(sealed_files.SealBroken):
            opened(damaged)
