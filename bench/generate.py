"""Generate a large desk for the benchmarks: N open requests spread over the seed organizations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench \\
        .venv/bin/python bench/generate.py --requests 100000

Rows are bulk-inserted (no history: the reminder sweep reads none). Idempotent per prefix: rows
from an earlier run with the same ``--prefix`` are deleted first. Dates are relative to ``--today``.

``--answered-share 0.4 --spread 245`` (the records benchmark, ``make bench-records``) also makes
that share of the requests answered or closed — each item decided, a result letter and its
response sent 2–25 business days after the request was complete — over about a year of arrivals,
with channels and agents mixed: what the request ledger and the statistics read.
"""

import argparse
import datetime as dt
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
from django.db import transaction  # noqa: E402
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
    args = parser.parse_args()
    if args.history_only:
        history(args.history, args.prefix, random.Random(args.seed), dt.date.fromisoformat(args.today))
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

    with transaction.atomic():
        Request.objects.filter(reference__startswith=f"{args.prefix}-").delete()
    statuses = [s for s, weight in STATUSES for _ in range(weight)]

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
            cases, kinds, answered_on = [], [], {}
            for i, (org, subject) in enumerate(zip(orgs, subjects, strict=True)):
                calendar = calendars[org.pk]
                reached = calendar.add_business_days(today, -rng.randint(0, args.spread))
                status = rng.choice(statuses)
                answered = None
                if rng.random() < args.answered_share:
                    answered = min(calendar.add_business_days(reached, rng.randint(2, 25)), today)
                    status = Status.CLOSED if answered < today - dt.timedelta(days=7) else Status.RESPONDED
                kinds.append(rng.choice(KINDS))
                complete = (
                    None if status in {Status.RECEIVED, Status.AWAITING_REQUESTER} and rng.random() < 0.5 else reached
                )
                due = (
                    calendar.add_business_days(complete, 14)
                    if complete and status != Status.AWAITING_REQUESTER
                    else None
                )
                if answered is not None:
                    answered_on[f"{args.prefix}-{made + i:07d}"] = answered
                cases.append(
                    Request(
                        reference=f"{args.prefix}-{made + i:07d}",
                        organization=org,
                        policy=policies[org.pk],
                        status=status,
                        channel=rng.choice(CHANNELS) if args.answered_share else "post",
                        art39_on=None if kinds[-1] == ItemKind.PURPOSE_NOTICE else reached + dt.timedelta(days=15),
                        ended_on=answered if status == Status.CLOSED else None,
                        answered_on=answered,
                        agent=rng.choice(agents[org.pk]) if args.answered_share and rng.random() < 0.1 else None,
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
                [RequestItem(request=case, kind=kind) for case, kind in zip(cases, kinds, strict=True)],
                batch_size=BATCH,
            )
            if answered_on:
                answer(cases, items, answered_on, admin, rng)
            IdentityDocument.objects.bulk_create(
                [
                    IdentityDocument(
                        request=case,
                        holder="data_subject",
                        kind="drivers_license",
                        received_on=case.reached_on,
                        individual_number="not_shown",
                        insurer_number="not_shown",
                        domicile="by_sender",
                        recorded_by=admin,
                    )
                    for case in cases
                    if rng.random() < 0.3
                ],
                batch_size=BATCH,
            )
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
    print(f"generated {args.requests} requests in {time.perf_counter() - started:.1f} s")
    analyze()
    if args.history:
        history(args.history, args.prefix, rng, today)


CHANNELS = ["post", "post", "email", "email", "web_form", "phone"]
OUTCOMES = [Outcome.COMPLY] * 6 + [Outcome.PARTIAL, Outcome.REFUSE, Outcome.NO_DATA, Outcome.NO_DATA]


def answer(cases, items, answered_on: dict, actor, rng) -> None:
    """Decide the answered cases' items and send their result letters (bulk, no history)."""
    answered = [case for case in cases if case.reference in answered_on]
    by_case = {item.request_id: item for item in items}
    Decision.objects.bulk_create(
        [
            Decision(
                request=case,
                item=by_case[case.pk],
                outcome=rng.choice(OUTCOMES),
                decided_on=answered_on[case.reference],
                decided_by=actor,
            )
            for case in answered
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


def history(rows: int, prefix: str, rng: random.Random, today: dt.date) -> None:
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


def analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give a live database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
