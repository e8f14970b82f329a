import pytest


@pytest.mark.django_db
def test_login_page_is_japanese_even_for_an_english_browser(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert "ログイン" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_saves_the_users_choice(client, desk_user):
    client.force_login(desk_user)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})

    assert response.status_code == 302
    desk_user.refresh_from_db()
    assert desk_user.language == "en"
    page = client.get("/admin/password_change/").content.decode()
    assert "Password change" in page
    assert desk_user.history.latest().history_operation == "language"


@pytest.mark.django_db
def test_signed_in_users_language_wins_over_cookie(client, desk_user):
    client.force_login(desk_user)  # language "ja" by default
    client.cookies["django_language"] = "en"

    page = client.get("/admin/password_change/").content.decode()

    assert "パスワードの変更" in page
