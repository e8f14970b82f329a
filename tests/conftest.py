import pytest
from django.contrib.auth.models import Group

from requests_app import roles


def make_staff(django_user_model, username, role=None, **extra):
    user = django_user_model.objects.create_user(
        username=username, password="pw-for-tests-only", is_staff=True, email=f"{username}@example.jp", **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def desk_user(db, django_user_model):
    return make_staff(django_user_model, "desk_a", roles.DESK_STAFF, last_name="田中", first_name="美咲")


@pytest.fixture
def manager_user(db, django_user_model):
    return make_staff(django_user_model, "manager_a", roles.DESK_MANAGER, last_name="高橋", first_name="誠")


@pytest.fixture
def auditor_user(db, django_user_model):
    return make_staff(django_user_model, "auditor_a", roles.AUDITOR, last_name="伊藤", first_name="由美")
