"""Error pages in the desk's language and the admin's look (issue 13): 403, 404 and 400 inside the
admin frame with a way back; 500 standing alone (it is rendered with no request context)."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation


@pytest.fixture
def signed_in(client, desk_user):
    client.force_login(desk_user)
    return client


def test_a_case_that_does_not_exist_is_a_japanese_404_in_the_admin(signed_in):
    response = signed_in.get("/admin/requests_app/request/999999/change/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "ページが見つかりません（404）" in page
    assert "閲覧権限のない事業者の案件です" in page
    assert 'href="/admin/requests_app/request/"' in page and "今日の業務に戻る" in page
    assert 'id="header"' in page  # the admin's frame


def test_an_unknown_address_is_the_same_404(signed_in):
    response = signed_in.get("/admin/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません（404）" in response.content.decode()


def test_a_page_the_role_does_not_allow_is_a_japanese_403(signed_in):
    response = signed_in.get("/admin/audit/")  # managers and auditors only

    assert response.status_code == 403
    page = response.content.decode()
    assert "この操作は許可されていません（403）" in page and "何も変更されていません" in page


def test_the_english_user_reads_english(client, desk_user):
    desk_user.language = "en"
    desk_user.save()
    client.force_login(desk_user)
    assert "Not found (404)" in client.get("/admin/requests_app/request/999999/change/").content.decode()


@pytest.mark.parametrize(
    ("language", "text"), [("ja", "エラーが発生しました（500）"), ("en", "Something went wrong (500)")]
)
def test_the_500_page_needs_no_request_and_says_what_to_check(language, text):
    with translation.override(language):
        page = render_to_string("500.html")
    assert text in page
    assert "admin/css/base.css" in page and "privacyops/admin.css" in page
