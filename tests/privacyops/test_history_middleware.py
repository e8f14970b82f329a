import pytest


@pytest.mark.django_db
def test_admin_change_records_the_acting_user_in_history(admin_client, admin_user, desk_user):
    response = admin_client.post(
        f"/admin/privacyops/user/{desk_user.pk}/change/",
        {
            "username": desk_user.username,
            "last_name": "田中",
            "first_name": "美咲（変更）",
            "email": desk_user.email,
            "is_active": "on",
            "is_staff": "on",
            "language": "en",
            "groups": [g.pk for g in desk_user.groups.all()],
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    latest = desk_user.history.latest()
    assert latest.first_name == "美咲（変更）"
    assert latest.language == "en"
    assert latest.history_user == admin_user


@pytest.mark.django_db
def test_group_membership_changes_are_in_user_history(admin_user, desk_user):
    from django.contrib.auth.models import Group

    desk_user.groups.add(Group.objects.get(name="desk manager"))

    groups_in_latest = {g.group.name for g in desk_user.history.latest().groups.all()}
    assert groups_in_latest == {"desk staff", "desk manager"}


@pytest.mark.django_db
def test_staff_users_cannot_be_deleted_in_the_admin(admin_client, desk_user):
    response = admin_client.get(f"/admin/privacyops/user/{desk_user.pk}/delete/")

    assert response.status_code == 403
