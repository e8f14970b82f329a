"""Generate a large desk for the benchmarks: N open requests spread over the seed organizations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench \\
        .venv/bin/python bench/generate.py --requests 100000

Rows are bulk-inserted (no history: the reminder sweep reads none). Idempotent per prefix: rows
from an earlier run with the same ``--prefix`` are deleted first. Dates are relative to ``--today``.
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

from requests_app import roles  # noqa: E402
from requests_app.deadlines import BusinessCalendar  # noqa: E402
from requests_app.models import (  # noqa: E402
    DataSubject,
    IdentityDocument,
    Pause,
    PauseKind,
    Request,
    RequestItem,
    Status,
)
from requests_app.seeds import ensure_seed_organizations  # noqa: E402

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
    args = parser.parse_args()
    rng = random.Random(args.seed)
    today = dt.date.fromisoformat(args.today)
    started = time.perf_counter()

    organizations = list(ensure_seed_organizations().values())
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
                    )
                    for i, org in enumerate(orgs)
                ],
                batch_size=BATCH,
            )
            cases = []
            for i, (org, subject) in enumerate(zip(orgs, subjects, strict=True)):
                calendar = calendars[org.pk]
                reached = calendar.add_business_days(today, -rng.randint(0, 40))
                status = rng.choice(statuses)
                complete = (
                    None if status in {Status.RECEIVED, Status.AWAITING_REQUESTER} and rng.random() < 0.5 else reached
                )
                due = (
                    calendar.add_business_days(complete, 14)
                    if complete and status != Status.AWAITING_REQUESTER
                    else None
                )
                cases.append(
                    Request(
                        reference=f"{args.prefix}-{made + i:07d}",
                        organization=org,
                        policy=policies[org.pk],
                        status=status,
                        status_before_pause=Status.VERIFYING if status == Status.AWAITING_REQUESTER else "",
                        channel="post",
                        reached_on=reached,
                        form_received_on=reached,
                        complete_on=complete,
                        due_on=due,
                        data_subject=subject,
                        assignee=rng.choice(users) if rng.random() < 0.9 else None,
                        created_by=admin,
                    )
                )
            cases = Request.objects.bulk_create(cases, batch_size=BATCH)
            RequestItem.objects.bulk_create(
                [RequestItem(request=case, kind=rng.choice(KINDS)) for case in cases], batch_size=BATCH
            )
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


if __name__ == "__main__":
    main()
