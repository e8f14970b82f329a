import pytest


@pytest.mark.django_db
def test_login_adds_no_history(client, desk_user):
    before = desk_user.history.count()
    response = client.post("/admin/login/?next=/admin/", {"username": "desk_a", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    desk_user.refresh_from_db()
    assert desk_user.last_login is not None
    assert desk_user.history.count() == before
