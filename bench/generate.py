"""Generate a large desk for the benchmarks: N open requests spread over the seed organizations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench \\
        .venv/bin/python bench/generate.py --requests 100000

Rows are bulk-inserted (no history: the reminder sweep reads none). Idempotent per prefix: rows
from an earlier run with the same ``--prefix`` are deleted first. Dates are relative to ``--today``.

``--answered-share 0.4 --spread 245`` (the records benchmark, ``make bench-records``) also makes
that share of the requests answered or closed — each item decided, a result letter and its
response sent 2–25 business days after the request was complete — over about a year of arrivals,
with channels and agents mixed: what the request ledger and the statistics read.

The desk of the page runner (issue 16, ``make bench``) adds, all bulk-inserted:

- ``--states all``: every status (received … rejected), answered ones decided and sent, ended
  ones (closed, withdrawn, rejected) with their end date; ``open`` (the default) as before;
- ``--max-items 4``: 1–4 items per case (default 1, as before);
- ``--full-cases 200``: that many in-progress cases with exactly 3 items, 3 identity documents
  and 2 letters (the case page of ``bench/pages.py``);
- ``--access-log 500000``: rows of the access log (``privacyops.audit.models.AccessLog``) over
  the last year, written with COPY; they carry TEST-NET addresses (192.0.2.x) and are replaced
  whole at each run (the access log is per database, not per prefix);
- ``--history`` as before (about 10 rows per request, the audit trail's ~1M).

Requests of an earlier run with the same prefix are removed first with plain DELETEs, children
first (no per-row signals, so no history rows about the removal). Times are printed and written
to ``bench/results/generate-<database>.json``.
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)

import django

django.setup()

from django.apps import apps as django_apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from requests_app import roles  # noqa: E402
from requests_app.deadlines import BusinessCalendar  # noqa: E402
from requests_app.derived import case_search_key  # noqa: E402
from requests_app.models import (  # noqa: E402
    Agent,
    DataSubject,
    Decision,
    IdentityDocument,
    ItemKind,
    Letter,
    LetterKind,
    Outcome,
    Pause,
    PauseKind,
    Request,
    RequestItem,
    Response,
    Status,
)
from requests_app.seeds import ensure_seed_organizations  # noqa: E402
from requests_app.validators import search_key  # noqa: E402

BATCH = 5000
KINDS = ["disclosure", "purpose_notice", "correction", "erasure", "suspension_of_provision"]
STATUSES = [
    (Status.RECEIVED, 10),
    (Status.VERIFYING, 15),
    (Status.IN_PROGRESS, 45),
    (Status.AWAITING_APPROVAL, 5),
    (Status.RESPONDING, 10),
    (Status.AWAITING_REQUESTER, 15),
]
# ``--states all``: a desk some years old, every status present (answered ones decided and sent).
ALL_STATUSES = [
    (Status.RECEIVED, 5),
    (Status.VERIFYING, 8),
    (Status.IN_PROGRESS, 22),
    (Status.AWAITING_APPROVAL, 4),
    (Status.RESPONDING, 6),
    (Status.RESPONDED, 10),
    (Status.CLOSED, 27),
    (Status.AWAITING_REQUESTER, 8),
    (Status.WITHDRAWN, 5),
    (Status.REJECTED, 5),
]
ENDED = {Status.CLOSED, Status.WITHDRAWN, Status.REJECTED}
ANSWERED = {Status.RESPONDED, Status.CLOSED}


def staff(count: int):
    roles.sync_roles(django_apps)
    User = get_user_model()
    desk, manager = Group.objects.get(name=roles.DESK_STAFF), Group.objects.get(name=roles.DESK_MANAGER)
    users = []
    for i in range(count):
        user, _ = User.objects.get_or_create(
            username=f"bench{i:03d}",
            defaults={"is_staff": True, "email": f"bench{i:03d}@example.jp", "last_name": "試験"},
        )
        user.groups.add(manager if i % 10 == 0 else desk)
        users.append(user)
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--staff", type=int, default=40)
    parser.add_argument("--today", default="2026-11-24")
    parser.add_argument("--prefix", default="B")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--history", type=int, default=0, help="Also write this many history rows for the audit trail (issue 6)."
    )
    parser.add_argument("--history-only", action="store_true", help="Keep the requests; only (re)write history.")
    parser.add_argument(
        "--answered-share", type=float, default=0.0, help="Share of requests answered or closed (0: all open)."
    )
    parser.add_argument("--spread", type=int, default=40, help="Arrivals over this many business days before today.")
    parser.add_argument(
        "--states", choices=["open", "all"], default="open", help="open: open states only (default); all: every one."
    )
    parser.add_argument("--max-items", type=int, default=1, choices=[1, 2, 3, 4], help="Items per case: 1 to this.")
    parser.add_argument(
        "--full-cases", type=int, default=0, help="Cases with exactly 3 items, 3 identity documents and 2 letters."
    )
    parser.add_argument("--access-log", type=int, default=0, help="Also write this many access-log rows (COPY).")
    args = parser.parse_args()
    timings = {}
    if args.history_only:
        timings["history_s"] = history(
            args.history, args.prefix, random.Random(args.seed), dt.date.fromisoformat(args.today)
        )
        report(args, timings)
        return
    rng = random.Random(args.seed)
    today = dt.date.fromisoformat(args.today)
    started = time.perf_counter()

    organizations = list(ensure_seed_organizations().values())
    agents = {
        o.pk: Agent.objects.bulk_create(
            [Agent(organization=o, agent_type=t, family_name="代理") for t in ("entrusted", "minor_legal_rep")]
        )
        for o in organizations
    }
    users = staff(args.staff)
    for organization in organizations:
        organization.staff.add(*users)
    policies = {o.pk: o.policies.order_by("-effective_from").first() for o in organizations}
    calendars = {o.pk: BusinessCalendar.for_organization(o) for o in organizations}
    admin = users[0]

    removed = time.perf_counter()
    purge(Request.objects.filter(reference__startswith=f"{args.prefix}-"))
    timings["remove_previous_s"] = round(time.perf_counter() - removed, 1)
    statuses = [s for s, weight in (ALL_STATUSES if args.states == "all" else STATUSES) for _ in range(weight)]
    # Every stride-th case is a full one (3 items, 3 documents, 2 letters), in progress.
    stride = max(args.requests // args.full_cases, 1) if args.full_cases else 0
    # With every state, open cases arrived recently; answered and ended ones over the whole spread.
    open_spread = min(args.spread, 40) if args.states == "all" else args.spread

    made = 0
    while made < args.requests:
        size = min(BATCH, args.requests - made)
        with transaction.atomic():
            orgs = [rng.choice(organizations) for _ in range(size)]
            subjects = DataSubject.objects.bulk_create(
                [
                    DataSubject(
                        organization=org,
                        family_name="試験",
                        given_name=f"{made + i}",
                        family_name_kana="シケン",
                        given_name_kana="タロウ",
                        email=f"subject{made + i}@example.jp",
                        name_key=search_key(f"試験{made + i}"),
                    )
                    for i, org in enumerate(orgs)
                ],
                batch_size=BATCH,
            )
            cases, kinds, answered_on, full = [], [], {}, set()
            for i, (org, subject) in enumerate(zip(orgs, subjects, strict=True)):
                calendar = calendars[org.pk]
                reference = f"{args.prefix}-{made + i:07d}"
                is_full = bool(stride) and (made + i) % stride == stride // 2
                status = Status.IN_PROGRESS if is_full else rng.choice(statuses)
                spread = args.spread if status in ANSWERED | ENDED else open_spread
                reached = calendar.add_business_days(today, -rng.randint(0, spread))
                answered = ended = None
                if args.states == "all":
                    if status in ANSWERED:
                        answered = min(calendar.add_business_days(reached, rng.randint(2, 25)), today)
                        ended = min(answered + dt.timedelta(days=7), today) if status == Status.CLOSED else None
                    elif status in ENDED:
                        ended = min(reached + dt.timedelta(days=rng.randint(1, 30)), today)
                elif rng.random() < args.answered_share:
                    answered = min(calendar.add_business_days(reached, rng.randint(2, 25)), today)
                    status = Status.CLOSED if answered < today - dt.timedelta(days=7) else Status.RESPONDED
                    ended = answered if status == Status.CLOSED else None
                count = 3 if is_full else (rng.randint(1, args.max_items) if args.max_items > 1 else 1)
                kinds.append(rng.sample(KINDS, count) if count > 1 else [rng.choice(KINDS)])
                if is_full:
                    full.add(reference)
                complete = (
                    None if status in {Status.RECEIVED, Status.AWAITING_REQUESTER} and rng.random() < 0.5 else reached
                )
                due = (
                    calendar.add_business_days(complete, 14)
                    if complete and status != Status.AWAITING_REQUESTER
                    else None
                )
                if answered is not None:
                    answered_on[reference] = answered
                mixed = args.answered_share or args.states == "all"
                cases.append(
                    Request(
                        reference=reference,
                        organization=org,
                        policy=policies[org.pk],
                        status=status,
                        channel=rng.choice(CHANNELS) if mixed else "post",
                        art39_on=(
                            None
                            if all(k == ItemKind.PURPOSE_NOTICE for k in kinds[-1])
                            else reached + dt.timedelta(days=15)
                        ),
                        ended_on=ended,
                        end_reason="" if status not in {Status.WITHDRAWN, Status.REJECTED} else "試験: 終了",
                        answered_on=answered,
                        agent=rng.choice(agents[org.pk]) if mixed and rng.random() < 0.1 else None,
                        reached_on=reached,
                        form_received_on=reached,
                        complete_on=complete,
                        due_on=due,
                        data_subject=subject,
                        assignee=rng.choice(users) if rng.random() < 0.9 else None,
                        created_by=admin,
                    )
                )
                cases[-1].search_key = case_search_key(cases[-1])
            cases = Request.objects.bulk_create(cases, batch_size=BATCH)
            items = RequestItem.objects.bulk_create(
                [
                    RequestItem(request=case, kind=kind)
                    for case, case_kinds in zip(cases, kinds, strict=True)
                    for kind in case_kinds
                ],
                batch_size=BATCH,
            )
            if answered_on:
                answer(cases, items, answered_on, admin, rng)
            documents = []
            for case in cases:
                if case.reference in full:
                    documents += [document(case, admin, kind) for kind in FULL_DOCUMENTS]
                elif rng.random() < 0.3:
                    documents.append(document(case, admin, "drivers_license"))
            IdentityDocument.objects.bulk_create(documents, batch_size=BATCH)
            if full:
                letters(cases, full, admin)
            Pause.objects.bulk_create(
                [
                    Pause(
                        request=case,
                        kind=rng.choice([PauseKind.FEE_SHORTFALL, PauseKind.MISSING_DOCUMENT]),
                        started_on=case.reached_on,
                        from_status=Status.VERIFYING,
                    )
                    for case in cases
                    if case.status == Status.AWAITING_REQUESTER
                ],
                batch_size=BATCH,
            )
        made += size
        print(f"  {made:>8} requests", flush=True)
    timings["requests_s"] = round(time.perf_counter() - started, 1)
    print(f"generated {args.requests} requests in {timings['requests_s']:.1f} s")
    analyze()
    if args.history:
        timings["history_s"] = history(args.history, args.prefix, rng, today)
    if args.access_log:
        timings["access_log_s"] = access_log(args.access_log, args.prefix, rng, today)
    timings["total_s"] = round(time.perf_counter() - started, 1)
    print(f"generation done in {timings['total_s']:.1f} s")
    report(args, timings)


def report(args, timings: dict) -> None:
    """The generation's times, for the bench's report (``bench/results/generate-<database>.json``)."""
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    name = connection.settings_dict["NAME"]
    (results / f"generate-{Path(str(name)).name}.json").write_text(
        json.dumps({"database": str(name), "options": vars(args), "timings": timings}, indent=2, ensure_ascii=False)
    )


def purge(queryset: models.QuerySet) -> None:
    """Delete ``queryset``'s rows and, first, every row that refers to them (cascading, protected or
    set-null references alike: the rows are the generator's own), with plain DELETE and UPDATE
    statements: no per-row signals, so no history rows about the removal."""
    with transaction.atomic():
        _purge(queryset, depth=0)


def _purge(queryset: models.QuerySet, depth: int) -> None:
    if not queryset.exists():  # nothing below either: no statements for the empty subtrees
        return
    model = queryset.model
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        related = relation.related_model
        field = relation.field
        children = related._base_manager.filter(**{f"{field.name}__in": queryset.values("pk")})
        if field.remote_field.on_delete is models.SET_NULL:
            children.update(**{field.name: None})
        elif depth < 6:
            _purge(children, depth + 1)
    subjects = list(queryset.values_list("data_subject_id", flat=True)) if model is Request else []
    history_attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    if history_attribute:  # its history rows name it by id (no foreign key): they go too
        history_model = getattr(model, history_attribute).model
        rows = history_model._base_manager.filter(id__in=queryset.values("pk"))
        rows._raw_delete(rows.db)
    queryset._raw_delete(queryset.db)
    if subjects:  # the generator's data subjects go with their requests (nobody else refers to them)
        for start in range(0, len(subjects), 10_000):
            chunk = DataSubject._base_manager.filter(pk__in=subjects[start : start + 10_000])
            _purge(chunk.exclude(requests__isnull=False), depth + 1)


FULL_DOCUMENTS = ["drivers_license", "health_insurance_card", "residence_card"]


def document(case, actor, kind: str) -> IdentityDocument:
    return IdentityDocument(
        request=case,
        holder="data_subject",
        kind=kind,
        received_on=case.reached_on,
        individual_number="not_shown",
        insurer_number="not_shown",
        domicile="by_sender",
        recorded_by=actor,
    )


def letters(cases, full: set, actor) -> None:
    """Two letters for each full case: the acknowledgement sent, a request for documents drafted."""
    Letter.objects.bulk_create(
        [
            Letter(
                request=case,
                kind=kind,
                letter_date=case.reached_on,
                addressee="試験 様",
                sender="窓口",
                title=title,
                body="試験の書面です。",
                created_by=actor,
                sent_at=timezone.now() if kind == LetterKind.ACKNOWLEDGEMENT else None,
            )
            for case in cases
            if case.reference in full
            for kind, title in (
                (LetterKind.ACKNOWLEDGEMENT, "受付のお知らせ"),
                (LetterKind.REQUEST_MISSING, "書類のお願い"),
            )
        ],
        batch_size=BATCH,
    )


CHANNELS = ["post", "post", "email", "email", "web_form", "phone"]
OUTCOMES = [Outcome.COMPLY] * 6 + [Outcome.PARTIAL, Outcome.REFUSE, Outcome.NO_DATA, Outcome.NO_DATA]


def answer(cases, items, answered_on: dict, actor, rng) -> None:
    """Decide the answered cases' items and send their result letters (bulk, no history)."""
    answered = [case for case in cases if case.reference in answered_on]
    by_case: dict[int, list] = {}
    for item in items:
        by_case.setdefault(item.request_id, []).append(item)
    Decision.objects.bulk_create(
        [
            Decision(
                request=case,
                item=item,
                outcome=rng.choice(OUTCOMES),
                decided_on=answered_on[case.reference],
                decided_by=actor,
            )
            for case in answered
            for item in by_case[case.pk]
        ],
        batch_size=BATCH,
    )
    letters = Letter.objects.bulk_create(
        [
            Letter(
                request=case,
                kind=LetterKind.RESULT,
                letter_date=answered_on[case.reference],
                addressee="試験 様",
                sender="窓口",
                title="ご請求への回答",
                body="回答します。",
                created_by=actor,
                sent_at=timezone.now(),
            )
            for case in answered
        ],
        batch_size=BATCH,
    )
    methods = [rng.choice(["post", "email"]) for _ in letters]
    Response.objects.bulk_create(
        [
            Response(
                request_id=letter.request_id,
                letter=letter,
                method=method,
                email="subject@example.jp" if method == "email" else "",
                addressee="試験 様",
                sent_on=letter.letter_date,
                sent_by=actor,
                text_sent=letter.body,
            )
            for letter, method in zip(letters, methods, strict=True)
        ],
        batch_size=BATCH,
    )


# (model, rows per object): about 10 history rows per request (documents and pauses exist for some).
HISTORY_MIX = [(Request, 10), (RequestItem, 2), (IdentityDocument, 1), (DataSubject, 1), (Pause, 1)]
REASONS = [
    "受付登録",
    "本人確認を開始",
    "本人確認: 確認済",
    "決定: 開示: 対応する（全部）",
    "書面を送付",
    "案件情報を編集",
]


def history(rows: int, prefix: str, rng: random.Random, today: dt.date) -> float:
    """Bulk-write ``rows`` history rows for the generated requests, spread over the last year."""
    started = time.perf_counter()
    users = list(get_user_model().objects.filter(username__startswith="bench").values_list("pk", flat=True))
    cases = Request.objects.filter(reference__startswith=f"{prefix}-")
    # Start again from nothing for these requests (the bench is idempotent).
    Request.history.filter(id__in=cases.values("pk")).delete()
    DataSubject.history.filter(id__in=cases.values("data_subject_id")).delete()
    for model in (RequestItem, IdentityDocument, Pause):
        model.history.filter(request_id__in=cases.values("pk")).delete()
    per_request = sum(share for _, share in HISTORY_MIX)
    needed_requests = max(rows // per_request, 1)
    written = 0
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=365), dt.time(9)))
    case_ids = list(cases.order_by("pk").values_list("pk", flat=True)[:needed_requests])
    for chunk_start in range(0, len(case_ids), 2000):
        chunk = case_ids[chunk_start : chunk_start + 2000]
        live = {
            Request: list(Request.objects.filter(pk__in=chunk)),
            RequestItem: list(RequestItem.objects.filter(request_id__in=chunk)),
            IdentityDocument: list(IdentityDocument.objects.filter(request_id__in=chunk)),
            DataSubject: list(DataSubject.objects.filter(requests__pk__in=chunk)),
            Pause: list(Pause.objects.filter(request_id__in=chunk)),
        }
        with transaction.atomic():
            for model, share in HISTORY_MIX:
                history_model = model.history.model
                fields = [f.attname for f in history_model.tracked_fields]
                batch = []
                for obj in live[model]:
                    for i in range(share):
                        batch.append(
                            history_model(
                                **{name: getattr(obj, name) for name in fields},
                                history_date=start + dt.timedelta(seconds=rng.randint(0, 365 * 86400)),
                                history_type="+" if i == 0 else "~",
                                history_user_id=rng.choice(users),
                                history_change_reason=rng.choice(REASONS),
                            )
                        )
                history_model.objects.bulk_create(batch, batch_size=BATCH)
                written += len(batch)
        print(f"  {written:>9} history rows", flush=True)
        if written >= rows:
            break
    print(f"wrote {written} history rows in {time.perf_counter() - started:.1f} s")
    analyze()
    return round(time.perf_counter() - started, 1)


# What the desk looks at (kind, share): case pages most, lists next, the rest now and then.
ACCESS_MIX = [("case", 55), ("case_list", 25), ("history", 6), ("letter", 6), ("document_file", 3), ("audit", 5)]
ACCESS_NET = "192.0.2."  # TEST-NET-1 (RFC 5737): marks the generator's rows


def access_log(rows: int, prefix: str, rng: random.Random, today: dt.date) -> float:
    """COPY ``rows`` access-log rows over the last year: staff opening the generated cases, the
    list, history, letters and files; audit-trail views by managers. Replaces earlier ones."""
    from privacyops.audit.models import AccessLog

    started = time.perf_counter()
    table = AccessLog._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE host(ip_address) LIKE %s", [ACCESS_NET + "%"])  # noqa: S608
    users = list(get_user_model().objects.filter(username__startswith="bench").values_list("pk", flat=True))
    cases = list(
        Request.objects.filter(reference__startswith=f"{prefix}-").values_list("pk", "organization_id", "reached_on")
    )
    kinds = [kind for kind, weight in ACCESS_MIX for _ in range(weight)]
    end = timezone.make_aware(dt.datetime.combine(today, dt.time(18)))
    written = 0
    while written < rows:
        size = min(100_000, rows - written)
        buffer = io.StringIO()
        for _ in range(size):
            kind = rng.choice(kinds)
            at = end - dt.timedelta(seconds=rng.randint(0, 365 * 86400))
            user = rng.choice(users)
            address = f"{ACCESS_NET}{rng.randint(1, 254)}"
            if kind == "case_list":
                fields = [at.isoformat(), kind, "\\N", "\\N", "/admin/requests_app/request/", user, address]
            elif kind == "audit":
                fields = [at.isoformat(), kind, "\\N", "\\N", "/admin/audit/", users[0], address]
            else:
                pk, organization, _reached = rng.choice(cases)
                path = {
                    "case": f"/admin/requests_app/request/{pk}/change/",
                    "history": f"/admin/requests_app/request/{pk}/case-history/",
                    "letter": f"/admin/requests_app/request/{pk}/letter/1/print/",
                    "document_file": f"/admin/requests_app/request/{pk}/document/1/file/",
                }[kind]
                fields = [at.isoformat(), kind, pk, organization, path, user, address]
            buffer.write("\t".join(str(f) for f in fields) + "\n")
        with transaction.atomic(), connection.cursor() as cursor:
            columns = "(at, kind, request_id, organization_id, path, user_id, ip_address)"
            with cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        written += size
        print(f"  {written:>9} access-log rows", flush=True)
    print(f"wrote {written} access-log rows in {time.perf_counter() - started:.1f} s")
    analyze()
    return round(time.perf_counter() - started, 1)


def analyze() -> None:
    """Fresh planner statistics and visibility maps after a bulk load, as autovacuum gives a live
    database (without the visibility map no index-only scan is possible)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
