"""Demo data for ``manage.py seed_demo``: idempotent, safe to run on every ``make run``."""

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from requests_app import roles

DEMO_PASSWORD = "privacyops-demo"  # noqa: S105 — set only when DEBUG is on (seed_users)


@dataclass(frozen=True)
class DemoUser:
    username: str
    last_name: str
    first_name: str
    role: str | None
    superuser: bool = False
    language: str = "ja"


DEMO_USERS = (
    DemoUser("desk", "田中", "美咲", roles.DESK_STAFF),
    DemoUser("desk2", "鈴木", "翔太", roles.DESK_STAFF),
    DemoUser("manager", "高橋", "誠", roles.DESK_MANAGER),
    DemoUser("auditor", "伊藤", "由美", roles.AUDITOR),
    DemoUser("admin", "管理", "者", None, superuser=True, language="en"),
)


@transaction.atomic
def seed_users(*, with_passwords: bool) -> list[tuple[DemoUser, bool]]:
    """Create or refresh the demo staff accounts; passwords only when asked (DEBUG)."""
    roles.sync_roles(global_apps)
    User = get_user_model()
    result = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "last_name": demo.last_name,
                "first_name": demo.first_name,
                "email": f"{demo.username}@privacyops.example",
                "language": demo.language,
                "is_staff": True,
                "is_superuser": demo.superuser,
            },
        )
        if with_passwords and (created or not user.has_usable_password()):
            user.set_password(DEMO_PASSWORD)
            user._change_reason = "seed_demo: demo account"
            user.save()
        elif created:
            user.set_unusable_password()
            user._change_reason = "seed_demo: demo account without password (DEBUG off)"
            user.save()
        if demo.role:
            user.groups.add(Group.objects.get(name=demo.role))
        result.append((demo, created))
    return result


def seed_demo(*, stdout) -> None:
    with_passwords = settings.DEBUG
    users = seed_users(with_passwords=with_passwords)
    stdout.write("Demo logins (http://127.0.0.1:8000/admin/):")
    for demo, created in users:
        role = roles.ROLE_LABELS[demo.role] if demo.role else "superuser"
        password = DEMO_PASSWORD if with_passwords else "(no password: DEBUG is off)"
        stdout.write(f"  {demo.username:<8} / {password:<16} {role}{'  [new]' if created else ''}")
