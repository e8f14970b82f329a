"""Search that finds people however their name is written, and the same person's other cases.

The request list's search box matches the case's stored search key (``derived.case_search_key``)
with what was typed read the same way (``validators.search_key``): full/half width, hiragana and
katakana, common variant kanji, spaces, dashes — ``ｽｽﾞｷ``, ``すずき`` and ``スズキ`` find the same
person, ``高橋`` finds ``髙橋``. The related-requests panel (intake and case page) finds the same
person's other cases by the normalised name and date of birth, or by the e-mail.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacyops.audit.models import AccessKind, AccessLog
from requests_app import roles, services
from requests_app.derived import search_words
from requests_app.models import Request
from requests_app.seeds import COPRO, JUO
from requests_app.validators import search_key
from tests.factories import UserFactory, case_in, register, subject_data

D = dt.date.fromisoformat
TODAY = "2026-11-20"
URL = "/admin/requests_app/request/"


# ------------------------------------------------------------------------------------------
# The key: every spelling of the family
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spellings",
    [
        ("スズキ", "ｽｽﾞｷ", "すずき", "ス ズ キ", "スズキ　"),
        ("高橋", "髙橋", "高 橋"),
        ("山崎", "山﨑", "山嵜", "山碕"),
        ("吉田", "𠮷田"),
        ("斎藤", "齋藤", "齊藤", "斉藤"),
        ("渡辺", "渡邊", "渡邉"),
        ("浜田", "濱田", "濵田"),
        ("沢村", "澤村"),
        ("HANAKO@EXAMPLE.JP", "hanako@example.jp", "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
        ("千種区1-2-3", "千種区１－２－３", "千種区1ー2ー3".replace("ー", "−"), "千種区 1‐2‐3"),
        ("関ケ原", "関ヶ原"),
    ],
)
def test_every_spelling_of_a_name_has_one_key(spellings):
    """Width (NFKC), script (hiragana as katakana), variant kanji, spaces and dashes are folded."""
    keys = {search_key(text) for text in spellings}
    assert len(keys) == 1, keys


def test_a_phone_number_or_postal_code_is_searched_by_its_digits():
    assert search_words("090-1234-5678") == ["09012345678"]
    assert search_words("０９０（１２３４）５６７８") == ["09012345678"]
    assert search_words("〒464−0001") == ["〒464-0001"]  # the mark makes it a word, not a number
    assert search_words("464-0001") == ["4640001"]
    assert search_words(" 山田　花子 ") == ["山田", "花子"]


# ------------------------------------------------------------------------------------------
# The list's search box
# ------------------------------------------------------------------------------------------
@pytest.fixture
def people(travel, desk_user, policies, client):
    """Three cases: 髙橋 一郎 (kana すずき — a made-up mismatch so kana and kanji are told apart),
    渡邊 花子 with an agent 齋藤, and 山田 花子 at JUO; the client signed in as ``desk_user``."""
    travel(TODAY)
    today = D(TODAY)
    cases = {
        "takahashi": register(
            desk_user,
            policies[COPRO],
            reached_on=today,
            subject=subject_data(
                family_name="髙橋",
                given_name="一郎",
                family_name_kana="すずき",
                given_name_kana="いちろう",
                phone="090-1234-5678",
                postal_code="４６４－０００１",
                address="愛知県名古屋市千種区１－２－３",
                email="ichiro@example.jp",
            ),
        ),
        "watanabe": register(
            desk_user,
            policies[COPRO],
            reached_on=today,
            subject=subject_data(
                family_name="渡邊",
                given_name="花子",
                family_name_kana="ワタナベ",
                email="w@example.jp",
                address="静岡県静岡市葵区",
                postal_code="420-0001",
            ),
            agent={"agent_type": "entrusted", "family_name": "齋藤", "given_name": "次郎", "address": "東京都港区"},
        ),
        "yamada": register(
            desk_user,
            policies[JUO],
            reached_on=today,
            subject=subject_data(address="大阪府大阪市北区", postal_code="530-0001"),
        ),
    }
    client.force_login(desk_user)
    return cases


def found(client, term) -> set[str]:
    response = client.get(URL, {"q": term})
    assert response.status_code == 200
    return {case.reference for case in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("term", "who"),
    [
        ("高橋", {"takahashi"}),
        ("髙橋", {"takahashi"}),
        ("高橋一郎", {"takahashi"}),
        ("高橋 一郎", {"takahashi"}),
        ("ｽｽﾞｷ", {"takahashi"}),
        ("すずき", {"takahashi"}),
        ("スズキ", {"takahashi"}),
        ("ｽｽﾞｷ ｲﾁﾛｳ", {"takahashi"}),
        ("渡辺", {"watanabe"}),
        ("渡邉花子", {"watanabe"}),
        ("斉藤", {"watanabe"}),  # the agent, written another way
        ("斎藤次郎", {"watanabe"}),
        ("花子", {"watanabe", "yamada"}),
        ("千種区1-2-3", {"takahashi"}),
        ("090-1234-5678", {"takahashi"}),
        ("09012345678", {"takahashi"}),
        ("464-0001", {"takahashi"}),
        ("ICHIRO@example.jp", {"takahashi"}),
        ("港区", {"watanabe"}),
        ("佐藤", set()),
        ("高橋 花子", set()),  # every word must match
    ],
)
def test_the_search_box_finds_a_person_however_written(people, client, term, who):
    assert found(client, term) == {people[name].reference for name in who}


def test_the_search_is_scoped_to_the_users_organizations(people, client, seed_orgs):
    """Staff of JUO alone never find COPRO's 髙橋, however they spell the name."""
    juo_staff = UserFactory(username="juo_only", role=roles.DESK_STAFF, organizations=[seed_orgs[JUO]])
    client.force_login(juo_staff)
    assert found(client, "高橋") == set()
    assert found(client, "花子") == {people["yamada"].reference}


def test_a_reference_or_its_last_digits_still_find_the_case(people, client):
    case = people["watanabe"]
    assert found(client, case.reference) == {case.reference}
    assert found(client, str(int(case.reference.rsplit("-", 1)[1]))) == {case.reference}


def test_correcting_the_people_updates_the_search_key(people, desk_user, client):
    case = people["takahashi"]
    services.request_update_people(actor=desk_user, case=case, subject={"family_name": "佐藤"}, note="旧姓の誤り")
    assert found(client, "佐藤") == {case.reference}
    assert found(client, "高橋") == set()


def test_the_retention_purge_blanks_the_search_key(travel, desk_user, policies, client):
    travel(TODAY)
    case = case_in("withdrawn", desk_user, policies[COPRO], reached_on=D(TODAY))
    assert "山田花子" in Request.objects.get(pk=case.pk).search_key
    services.request_purge(case=case, today=D(TODAY))
    purged = Request.objects.get(pk=case.pk)
    assert purged.purged_on is not None and purged.search_key == ""
    assert purged.data_subject.name_key == ""
    client.force_login(desk_user)
    assert found(client, "山田") == set()


def test_a_search_costs_no_more_queries_than_the_plain_list(people, desk_user, policies, client):
    """The search is one filter on the stored key: no query per row or per word, for 3 or 33 cases."""

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured)

    plain, searched = queries({}), queries({"q": "花子 ハナコ"})
    for i in range(30):
        register(desk_user, policies[COPRO], reached_on=D(TODAY), subject=subject_data(given_name=f"花子{i}"))
    assert queries({}) == plain
    assert queries({"q": "花子 ハナコ"}) == searched <= plain
    assert len(found(client, "花子 ハナコ")) == 32


# ------------------------------------------------------------------------------------------
# The same person's other cases
# ------------------------------------------------------------------------------------------
BIRTH = dt.date(1980, 5, 1)


@pytest.fixture
def history(travel, desk_user, policies):
    """A person with a closed disclosure and an open correction at COPRO, one with the same name
    but another birth date, the same person at JUO (another organization), and the new case."""
    travel("2026-06-01")
    disclosure = case_in(
        "withdrawn",
        desk_user,
        policies[COPRO],
        reached_on=D("2026-06-01"),
        subject=subject_data(family_name="髙橋", birth_date=BIRTH),
    )
    travel(TODAY)
    today = D(TODAY)
    correction = register(
        desk_user,
        policies[COPRO],
        reached_on=today,
        kinds=("correction",),
        subject=subject_data(family_name="高橋", birth_date=BIRTH, email=""),
    )
    namesake = register(
        desk_user,
        policies[COPRO],
        reached_on=today,
        subject=subject_data(family_name="高橋", birth_date=dt.date(1990, 1, 1), email=""),
    )
    by_email = register(
        desk_user,
        policies[COPRO],
        reached_on=today,
        subject=subject_data(family_name="別名", email="HANAKO@example.jp"),
    )
    elsewhere = register(
        desk_user, policies[JUO], reached_on=today, subject=subject_data(family_name="高橋", birth_date=BIRTH)
    )
    new = register(
        desk_user,
        policies[COPRO],
        reached_on=today,
        kinds=("suspension_of_use",),
        subject=subject_data(family_name="高橋", birth_date=BIRTH),
    )
    return {
        "disclosure": disclosure,
        "correction": correction,
        "namesake": namesake,
        "by_email": by_email,
        "elsewhere": elsewhere,
        "new": new,
    }


def test_the_case_page_lists_the_same_persons_other_cases_open_first(history, desk_user, client):
    """Found by the name however written (髙橋 = 高橋) with the date of birth, or by the e-mail
    (case-insensitive); never the namesake born another day, never another organization's case."""
    client.force_login(desk_user)
    response = client.get(reverse("admin:requests_app_request_change", args=[history["new"].pk]))
    related = response.context["related"]
    assert [(case.reference, why) for case, why in related] == [
        (history["by_email"].reference, "email"),  # open, the newest first
        (history["correction"].reference, "name_and_birth_date"),
        (history["disclosure"].reference, "name_and_birth_date"),  # ended: last
    ]
    html = response.content.decode()
    assert "同じ本人の他の案件" in html
    assert history["namesake"].reference not in html
    assert history["elsewhere"].reference not in html


def test_intake_looks_up_the_person_as_typed(history, desk_user, policies, client):
    """The intake page's panel: POSTed names (never in a URL), the same rules as the case page;
    the lookup is in the access log when it shows a case."""
    client.force_login(desk_user)
    url = reverse("admin:requests_app_request_related")
    data = {"policy": policies[COPRO].pk, "family_name": "髙 橋", "given_name": "花子", "birth_date": "1980-05-01"}
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("disclosure", "correction", "new"):
        assert history[name].reference in html
    assert history["elsewhere"].reference not in html
    assert AccessLog.objects.filter(kind=AccessKind.CASE_LIST, user=desk_user).exists()
    # Nothing to look for yet: an empty fragment.
    assert (
        history["new"].reference
        not in client.post(url, {"policy": policies[COPRO].pk, "family_name": "高橋"}).content.decode()
    )
    assert client.get(url, data).status_code == 405


def test_intake_lookup_never_crosses_organizations(history, seed_orgs, policies, client):
    """A user of JUO alone asking about COPRO's policy gets nothing (the policy is not theirs)."""
    juo_staff = UserFactory(username="juo_only", role=roles.DESK_STAFF, organizations=[seed_orgs[JUO]])
    client.force_login(juo_staff)
    url = reverse("admin:requests_app_request_related")
    html = client.post(
        url, {"policy": policies[COPRO].pk, "family_name": "高橋", "given_name": "花子", "birth_date": "1980-05-01"}
    ).content.decode()
    assert "同じ本人の他の案件" not in html and history["new"].reference not in html


def test_intake_lookup_needs_the_permission_to_register(history, auditor_user, policies, client):
    client.force_login(auditor_user)
    response = client.post(
        reverse("admin:requests_app_request_related"), {"policy": policies[COPRO].pk, "email": "hanako@example.jp"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("number", ["123456789018", "1234 5678 9018", "１２３４５６７８９０１８"])
def test_an_individual_number_typed_into_the_search_is_refused_and_never_echoed(people, client, number):
    """My Number is never stored or shown (Number Act Art. 20): not in the search box, the page's
    links or the message either — the list is refused as for any bad value."""
    response = client.get(URL, {"q": number, "status": "all"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "12桁の数字" in page or "個人番号" in page
    assert number not in page and "123456789018" not in page
