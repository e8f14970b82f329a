"""Auditors read everything and change nothing, anywhere (issue 6)."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from requests_app.actions import ACTIONS
from requests_app.models import Request
from requests_app.seeds import JUO
from tests.factories import register


@pytest.fixture
def a_case(travel, desk_user, policies):
    travel("2026-11-20")
    return register(desk_user, policies[JUO], reached_on=dt.date(2026, 11, 20))


def test_no_admin_model_can_be_added_changed_or_deleted_by_an_auditor(client, auditor_user, a_case):
    client.force_login(auditor_user)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        assert not model_admin.has_add_permission(_request(auditor_user)), info
        add = client.post(reverse("admin:{}_{}_add".format(*info)), {"anything": "x"})
        assert add.status_code in {403, 302}, info  # 302 only to the login page
        if add.status_code == 302:
            assert "/login/" in add["Location"], info
        obj = model._default_manager.first()
        if obj is None:
            continue
        assert not model_admin.has_change_permission(_request(auditor_user), obj), info
        assert not model_admin.has_delete_permission(_request(auditor_user), obj), info
        change = client.post(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]), {"anything": "x"})
        assert change.status_code in {403, 404}, info
        delete = client.post(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]), {"post": "yes"})
        assert delete.status_code in {403, 404}, info
        assert model._default_manager.filter(pk=obj.pk).exists(), info
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("slug", sorted(ACTIONS))
def test_no_case_action_is_open_to_an_auditor(client, auditor_user, a_case, slug):
    client.force_login(auditor_user)
    version = a_case.version

    response = client.post(reverse("admin:requests_app_request_action", args=[a_case.pk, slug]), {"version": version})

    assert response.status_code == 403
    assert Request.objects.get(pk=a_case.pk).version == version


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request
