import pytest
from django.contrib.auth.models import Group

from requests_app import roles


@pytest.mark.django_db
def test_migrations_create_the_three_roles_with_their_permissions():
    for role, wanted in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == wanted, role
