"""Security rules of issue 12 that are in place: no Individual Number however it is spelled (one
detector, generated spellings), letter templates checked when saved and never a 500 when drafting,
no line breaks in header values, tracking numbers only in their own field, access-log paths
without query strings."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app import services
from requests_app.models import DocumentKind, LetterKind, LetterTemplate, Status
from requests_app.seeds import JUO, LEVERAGES
from requests_app.validators import contains_individual_number
from tests.factories import case_in, document_data, register

D = dt.date.fromisoformat


def responding(desk_user, policies):
    """A Leverages case ready for its answer (no fee; identity verified with a passport)."""
    return case_in(
        Status.RESPONDING,
        desk_user,
        policies[LEVERAGES],
        reached_on=D("2026-11-20"),
        documents=[document_data(DocumentKind.PASSPORT)],
    )


# ------------------------------------------------------------------------------------------
# The Individual Number detector (Number Act Art. 20: never stored)
# ------------------------------------------------------------------------------------------
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
KANJI = str.maketrans("0123456789", "〇一二三四五六七八九")
DAIJI = str.maketrans("0123456789", "○壱弐参肆伍陸漆捌玖")
SEPARATORS = [
    " ", "　", "\n", "\t", "-", "‐", "‑", "‒", "–", "—", "―", "−", "ー", "－", "〜", "～", "~", "、", ",", "，",
    ".", "．", ":", "：", "/", "／", "·", "・", "･", "_", "。", "|", "•", "─", "+", "(", ")", "〰",
    "━", "⸺", "⁃", "‧", "∙", "*", "#", "=", "'", '"', "[", "]", "【", "】", "「", "」", "\u2800", "\ufffc",
]  # fmt: skip
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u200e",
    "\u202a",
    "\u2066",
    "\u034f",
    "\ufe0f",
    "\u0332",  # combining low line (underlined digits)
    "\u0301",
    "\U000e0020",  # tag space
    "\u061c",
    "\u17b4",
]
GROUPINGS = [[12], [1] * 12, [3, 3, 3, 3], [4, 4, 4], [6, 6], [4, 8], [8, 4], [3, 4, 5], [5, 7]]
AROUND = st.text(alphabet="あいうえおマイナンバー番号はですabcXYZ（）「」 ", max_size=12)


# Groupings a person may type with one separator throughout (1 2 3 4 5678 9012, 1234 5678 90 12).
MIXED_GROUPINGS = [[1, 1, 1, 1, 4, 4], [4, 4, 2, 2], [2, 2, 4, 4], [4, 2, 2, 4], [2, 4, 4, 2], [1, 1, 2, 4, 4]]


def with_check_digit(eleven: str) -> str:
    """An Individual Number: 11 digits and their check digit (Number Act Enforcement Order, Art. 8)."""
    total = sum(int(d) * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(eleven), start=1))
    remainder = total % 11
    return eleven + str(0 if remainder <= 1 else 11 - remainder)


def test_the_check_digit_is_the_law_s():
    assert with_check_digit("12345678901") == "123456789018"  # the sample number of the Digital Agency


@st.composite
def individual_numbers(draw):
    digits = with_check_digit(draw(st.text(alphabet="0123456789", min_size=11, max_size=11)))
    mixed = draw(st.booleans())
    grouping = draw(st.sampled_from(MIXED_GROUPINGS if mixed else GROUPINGS))
    one_separator = "".join(
        draw(st.lists(st.sampled_from([" ", "　", "-", "－", "ー", ".", "/"]), min_size=1, max_size=2))
    )
    groups, start = [], 0
    for size in grouping:
        groups.append(digits[start : start + size])
        start += size
    written = []
    for group in groups:
        style = draw(st.sampled_from(["ascii", "full", "kanji", "daiji"]))
        if style == "full":
            group = group.translate(FULL_WIDTH)
        elif style == "kanji":
            group = group.translate(KANJI)
        elif style == "daiji":
            group = group.translate(DAIJI)
        if draw(st.booleans()):  # an invisible character inside the group
            cut = draw(st.integers(0, len(group)))
            group = group[:cut] + draw(st.sampled_from(INVISIBLE)) + group[cut:]
        written.append(group)
    text = written[0]
    for group in written[1:]:
        separator = (
            one_separator if mixed else "".join(draw(st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=4)))
        )
        text += separator + group
    if draw(st.integers(0, 9)) == 0:  # as HTML character references, decimal or hexadecimal
        text = "".join(draw(st.sampled_from([f"&#{ord(c)};", f"&#x{ord(c):x};", c])) for c in text)
    return draw(AROUND) + text + draw(AROUND)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(individual_numbers())
def test_every_spelling_of_a_12_digit_number_is_caught(text):
    assert contains_individual_number(text), repr(text)


@st.composite
def ordinary_numbers(draw):
    """What desk notes hold: dates and times, phone numbers, postal codes, references, amounts."""
    year, month, day = draw(st.integers(1990, 2040)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    step, room, first = draw(st.integers(1, 3)), draw(st.integers(100, 990)), draw(st.integers(1, 500_000))
    choices = [
        f"{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}",
        f"{year}/{month:02d}/{day:02d} {hour:02d}:{minute:02d}〜{(hour + 1) % 24:02d}:{minute:02d}",
        f"{month:02d}/{day:02d} {hour:02d}:{minute:02d}-{(hour + 1) % 24:02d}:{minute:02d}",
        f"0{draw(st.integers(10, 99))}-{draw(st.integers(1000, 9999))}-{draw(st.integers(1000, 9999))}",
        f"0{draw(st.integers(1, 9))}-{draw(st.integers(1000, 9999))}-{draw(st.integers(1000, 9999))}",
        f"〒{draw(st.integers(100, 999))}-{draw(st.integers(0, 9999)):04d}",
        f"{year}-{draw(st.integers(1, 999999)):06d}、{year}-{draw(st.integers(1, 999999)):06d}",
        f"{draw(st.integers(1, 999_999)):,}円",
        str(draw(st.integers(10**12, 10**15))),  # 13 digits and more: not one number of 12
        # Lists counting up evenly, and ranges of the desk's own references.
        ", ".join(str(year + step * n) for n in range(3)),
        "、".join(str(room + n) for n in range(4)),
        f"{year}-{first:06d}〜{first + draw(st.integers(1, 400_000)):06d}",
        f"{year}-{first:06d}〜{year}-{first + 11:06d}",
    ]
    return draw(st.sampled_from(choices))


@settings(max_examples=300, deadline=None)
@given(ordinary_numbers())
def test_dates_phones_postal_codes_references_and_amounts_are_not_flagged(text):
    assert not contains_individual_number(text), repr(text)


@pytest.mark.django_db
def test_every_free_text_field_refuses_it_letters_and_templates_included(travel, desk_user, manager_user, policies):
    travel("2026-11-20")
    from django.core.exceptions import ValidationError

    case = responding(desk_user, policies)
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    for field in ("title", "body"):
        values = {name: getattr(letter, name) for name in ("letter_date", "addressee", "sender", "title", "body")}
        values[field] += " 番号：一二三四 五六七八 九〇一二"
        with pytest.raises(ValidationError) as refused:
            services.letter_update(actor=desk_user, letter=letter, **values)
        assert field in refused.value.message_dict
    template = LetterTemplate(organization=case.organization, kind="acknowledgement", body="番号 1234・5678・9012")
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert "body" in refused.value.message_dict


# ------------------------------------------------------------------------------------------
# Letter templates: checked when saved, never a 500 when drafting
# ------------------------------------------------------------------------------------------
def template_form(organization, body, title=""):
    return {
        "organization": organization.pk,
        "kind": "result",
        "language": "ja",
        "title": title,
        "body": body,
        "change_reason": "文面の変更",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{% load log %}{{ case.reference }}", "load"),
        ("{% include 'admin/base.html' %}", "include"),
        ("{% debug %}", "debug"),
        ("{% extends 'letters/ja/result.txt' %}", "extends"),
        ("{% url 'admin:index' %}", "url"),
        ("{% if case.reference %}開いたまま", "構文"),
        ("{{ case.reference|no_such_filter }}", "フィルタ"),
    ],
)
def test_a_template_outside_the_allowed_tags_is_refused_when_saved(client, manager_user, seed_orgs, body, message):
    client.force_login(manager_user)
    response = client.post("/admin/requests_app/lettertemplate/add/", template_form(seed_orgs[JUO], body))
    errors = response.context["adminform"].form.errors
    assert "body" in errors and message in " ".join(errors["body"]), errors
    assert not LetterTemplate.objects.exists()


@pytest.mark.django_db
def test_an_allowed_template_is_saved(client, manager_user, seed_orgs):
    client.force_login(manager_user)
    body = "{{ subject.full_name }} 様\n{% for item in items %}{{ item.kind }}：{{ item.outcome }}\n{% endfor %}"
    client.post("/admin/requests_app/lettertemplate/add/", template_form(seed_orgs[JUO], body, title="ご回答"))
    assert LetterTemplate.objects.get().body == body


@pytest.mark.django_db
def test_a_template_failing_at_drafting_falls_back_with_a_message(client, travel, desk_user, policies):
    """A template saved before these checks (or failing on this case's data) never gives a 500: the
    standard wording is drafted and the desk is told."""
    travel("2026-11-20")
    case = responding(desk_user, policies)
    LetterTemplate.objects.create(
        organization=case.organization,
        kind="result",
        language="ja",
        body="{% load no_such_library %}{{ case.reference }}",
    )  # written past the form, as an old row would be
    client.force_login(desk_user)
    page = client.get(f"/admin/requests_app/request/{case.pk}/action/draft-letter/")
    from tests.desk import form_defaults

    data = {**form_defaults(page.text), "kind": "result"}
    response = client.post(f"/admin/requests_app/request/{case.pk}/action/draft-letter/", data, follow=True)
    assert response.status_code == 200 and "使えませんでした" in response.text
    assert "下記のとおり回答いたします" in case.letters.get().body


# ------------------------------------------------------------------------------------------
# Header values and tracking numbers
# ------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028"])
def test_a_title_or_a_name_with_a_line_break_is_refused(travel, desk_user, policies, newline):
    from django.core.exceptions import ValidationError

    travel("2026-11-20")
    case = responding(desk_user, policies)
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    values = {name: getattr(letter, name) for name in ("letter_date", "addressee", "sender", "body")}
    with pytest.raises(ValidationError) as refused:
        services.letter_update(actor=desk_user, letter=letter, title=f"ご回答{newline}Bcc: x@example.com", **values)
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        register(
            desk_user,
            policies[JUO],
            reached_on=D("2026-11-20"),
            subject={"family_name": f"山田{newline}Bcc: x@example.com", "email": "a@example.jp"},
        )
    assert "family_name" in refused.value.message_dict


@pytest.mark.parametrize(
    ("value", "ok"),
    [("1234-5678-9012", True), ("123456789012", True), ("1234 5678 9012", True), ("A123", False), ("番号", False)],
)
def test_a_tracking_number_field_holds_digits_and_nothing_else(value, ok):
    from django.core.exceptions import ValidationError

    from requests_app.validators import validate_tracking_number

    if ok:
        validate_tracking_number(value)
    else:
        with pytest.raises(ValidationError):
            validate_tracking_number(value)


# ------------------------------------------------------------------------------------------
# Sessions and passwords
# ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_session_idle_past_the_limit_is_refused_and_a_busy_one_lives_on(client, travel, desk_user):
    """SESSION_IDLE_MINUTES (30): each request moves the end on; 31 idle minutes end it."""

    def at(minutes: int) -> None:  # minutes after 09:00 on 2026-11-20, Tokyo
        moment = dt.datetime(2026, 11, 20, 9) + dt.timedelta(minutes=minutes)
        travel(moment.isoformat(), hour=moment.hour)

    at(0)
    client.force_login(desk_user)
    assert client.get("/admin/").status_code == 200
    for minutes in (25, 50, 75):  # a request every 25 minutes: still signed in after 75
        at(minutes)
        assert client.get("/admin/").status_code == 200
    at(75 + 31)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass1", "12"),
        ("tanaka-misaki-2026", "似"),
        ("password1234", "一般的"),
        ("123456789012345", "数字"),
        ("aaaaaaaaaaaa", "推測"),  # twelve characters, and guessed at once
        ("PrivacyOps2026", "推測"),  # the product's name and a year
        ("Misaki2026Tanaka", "似"),  # the user's own names
        # Found by an attacker: full-width spellings of refused ones, Japanese words and names.
        ("ｐａｓｓｗｏｒｄ１２３４", "一般的"),
        ("ＰｒｉｖａｃｙＯｐｓ２０２６", "推測"),
        ("ｑｗｅｒｔｙｕｉｏｐ１２", "推測"),
        ("プライバシーオプス2026", "推測"),
        ("田中美咲19900101", "推測"),
        ("tanakamisaki1990", "推測"),
    ],
)
def test_weak_staff_passwords_are_refused(desk_user, password, reason):
    """Length ≥ 12, not like the user, not common, not all digits, and not guessable (zxcvbn ≥ 3)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    desk_user.username, desk_user.first_name, desk_user.last_name = "tanaka-misaki", "Misaki", "Tanaka"
    with translation.override("ja"), pytest.raises(ValidationError) as refused:
        validate_password(password, user=desk_user)
    assert reason in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "text",
    [
        "1 2 3 4 5678 9012",
        "1234 5678 90 12",
        "番号は12 34 5678 9012です",
        "&#49;&#50;&#51;&#52;&#53;&#54;&#55;&#56;&#57;&#48;&#49;&#50;",
        "&#x31;&#x32;&#x33;&#x34;-&#x35;&#x36;&#x37;&#x38;-&#x39;&#x30;&#x31;&#x32;",
        "%31%32%33%34%35%36%37%38%39%30%31%32",
        "1234〜5678〜9018",  # a list spelling, but the check digit is right: a real number
        "03-1234-5678-90",  # not a phone number: one more group
        # Found by an attacker (N = 123456789018, a valid number): mixed separators and groups,
        # long runs of blanks, rules, brackets and quotes, marks on the digits, old numerals,
        # double encoding, blank and tag characters.
        "1234 5678-90-18",
        "12 3456-789018",
        "1 2-3456789018",
        "12 34-56 78-90 18",
        "123456     789018",
        "1234\n    \n5678\n9018",
        "1234━5678━9018",
        "1234⸺5678⸺9018",
        "1234*5678*9018",
        "1234#5678#9018",
        "[1234][5678][9018]",
        "【1234】【5678】【9018】",
        "「1234」「5678」「9018」",
        "'1234' '5678' '9018'",
        "1\u03322\u03323\u03324\u03325\u03326\u03327\u03328\u03329\u03320\u03321\u03328\u0332",
        "1234\u03015678\u03019018",
        "壹234567890壹8",
        "壹貳參四五六柒八九〇壹八",
        "&amp;#49;&amp;#50;&amp;#51;&amp;#52;&amp;#53;&amp;#54;&amp;#55;&amp;#56;&amp;#57;&amp;#48;&amp;#49;&amp;#56;",
        "%2531%2532%2533%2534%2535%2536%2537%2538%2539%2530%2531%2538",
        "1234\u28005678\u28009018",
        "1234\U000e00205678\U000e00209018",
        "1234\ufffc5678\ufffc9018",
        "1234\u17b45678\u17b49018",
        "1234\u061c5678\u061c9018",
        "1234\U0001d1735678\U0001d1739018",
        # Found by a second attacker: long blanks (table alignment, wrapped lines), more marks,
        # circled digits.
        "1234          5678          9018",
        "1234 5678\r\n          9018",
        "1234※5678※9018",
        "1234％5678％9018",
        "❶❷❸❹❺❻❼❽❾⓿❶❽",
        "⓵⓶⓷⓸⓹⓺⓻⓼⓽⓪⓵⓼",
    ],
)
def test_mixed_groupings_and_encoded_digits_are_caught(text):
    assert contains_individual_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024, 2025, 2026",
        "対象年度：2024、2025、2026",
        "0900-1200 1300-1700",
        "受付 09:00-12:00 13:00-17:00",
        "101, 102, 103, 104",
        "2026-000001〜000012",
        "2026-000001～2026-000012",
        "10, 20, 30, 40, 50, 60",
        # Found by an attacker: other numbers with 12 digits (none has a valid check digit).
        "+81 90 1234 5678",
        "IP 192.168.100.200",
        "受付番号 2026-1130-0042",
        "2026 11 30 1000",
        "123,456,789,012円",
        "2026/11/30 10:00〜11:00",
        # Phone numbers and what follows them (seen in a letter footer).
        "052-589-3066(平日9:00-18:00)FAX 052-589-3067(24時間受付)",
        "電話は03-1234-5678 10時以降",
        "0120(123)456 24時間",
        # Found by a second attacker: phones without hyphens or with dots, an ID beside a date,
        # lists counting up by blanks.
        "0525893067（24時間受付）",
        "TEL 0312345678 10時以降",
        "電話 09012345678 2回目の連絡",
        "0312345678 12/1に折り返し",
        "Tel.03.1234.5678 10時",
        "受付番号 12345678 2026/11/30 受付",
        "1000 2000 3000",
        "100 200 300 400",
    ],
)
def test_lists_ranges_and_times_are_not_taken_for_a_number(text):
    """What reads as another number passes, unless its 12 digits carry an Individual Number's
    check digit: then it is refused (about one in ten such spellings; the desk rewrites it)."""
    assert not contains_individual_number(text)


@pytest.mark.parametrize("text", ["マイナンバー1234-5678-9012一覧.csv", "番号1234 5678 9012の一部", "123456789012一括"])
def test_a_number_followed_by_a_word_starting_with_a_kanji_numeral_is_caught(text):
    assert contains_individual_number(text)


# ------------------------------------------------------------------------------------------
# Content-Security-Policy
# ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_the_letter_its_nonce(client, travel, desk_user, policies):
    travel("2026-11-20")
    case = responding(desk_user, policies)
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    client.force_login(desk_user)
    for url in ("/admin/", f"/admin/requests_app/request/{case.pk}/change/", "/admin/consents/consent/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    response = client.get(f"/admin/requests_app/request/{case.pk}/letter/{letter.pk}/print/")
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in response.text and "onclick" not in response.text


def test_no_template_has_an_inline_handler_or_style_attribute():
    """What the policy would block: handler attributes (onclick=…) and style attributes in the
    pages (e-mail templates are not pages: mail clients need inline styles)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    pattern = re.compile(r"""\son[a-z]+\s*=\s*["']|\sstyle\s*=\s*["']|<script(?![^>]*\bsrc=)""", re.I)
    found = [
        f"{path.relative_to(root)}: {match.group()}"
        for path in root.rglob("*.html")
        if "reminders" not in path.parts
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# ------------------------------------------------------------------------------------------
# Least privilege: the staff directory
# ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_staff_directory_is_for_managers_and_shows_their_organizations_staff(
    client, desk_user, manager_user, auditor_user, other_org_user
):
    for user in (desk_user, auditor_user):
        client.force_login(user)
        assert client.get("/admin/privacyops/user/").status_code == 403
    client.force_login(manager_user)
    listed = {user.username for user in client.get("/admin/privacyops/user/").context["cl"].result_list}
    assert {desk_user.username, manager_user.username} <= listed and other_org_user.username not in listed
    assert client.get(f"/admin/privacyops/user/{other_org_user.pk}/change/").status_code == 302  # "not found"


@pytest.mark.django_db
def test_the_trail_offers_only_colleagues_as_users(client, manager_user, desk_user, other_org_user):
    client.force_login(manager_user)
    page = client.get("/admin/audit/")
    choices = {user.username for user in page.context["form"].fields["user"].queryset}
    assert desk_user.username in choices and other_org_user.username not in choices
    response = client.get("/admin/audit/", {"user": other_org_user.pk})
    assert not response.context["valid"] and "user" in response.context["form"].errors


# ------------------------------------------------------------------------------------------
# Logs keep no search terms
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("logger_name", ["django.server", "django.request", "requests_app", "privacyops"])
def test_log_lines_keep_no_query_strings(logger_name):
    import logging

    logger = logging.getLogger(logger_name)
    handlers = logger.handlers if not logger.propagate or logger.handlers else logging.getLogger().handlers
    record = logger.makeRecord(
        logger_name,
        logging.INFO,
        __file__,
        1,
        '"GET %s HTTP/1.1" 200 512',
        ("/admin/requests_app/request/?q=山田花子&due=overdue",),
        None,
    )
    lines = []
    for handler in handlers:
        if handler.filter(record):
            lines.append(handler.format(record))
    assert lines and all(
        "/admin/requests_app/request/" in line and "山田" not in line and "?" not in line for line in lines
    )


def test_the_production_access_log_names_the_page_without_its_query():
    from pathlib import Path

    from privacyops import gunicorn_conf

    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()
    command = dockerfile[dockerfile.index("CMD [") :]
    assert "python:privacyops.gunicorn_conf" in command  # the served configuration
    assert gunicorn_conf.accesslog == "-" and "%(U)s" in gunicorn_conf.access_log_format
    assert "%(r)s" not in gunicorn_conf.access_log_format and "%(q)s" not in gunicorn_conf.access_log_format


# ------------------------------------------------------------------------------------------
# Lockout after repeated failures (django-axes), in the audit trail
# ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_and_the_trail_shows_each(client, desk_user, manager_user):
    from django.conf import settings

    from privacyops.audit.models import AccessLog

    login = "/admin/login/?next=/admin/"
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(login, {"username": desk_user.username, "password": "wrong-password-123"})
        # The form again with its error; the N-th failure locks.
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)
    response = client.post(login, {"username": desk_user.username, "password": "pw-for-tests-only"})
    assert response.status_code == 429 and "ロック" in response.text  # even the right password now
    assert not client.get("/admin/").wsgi_request.user.is_authenticated

    events = list(AccessLog.objects.filter(user=desk_user).order_by("id").values_list("kind", flat=True))
    # Every failure, the lockout itself, and the attempt refused while locked: one row each.
    assert events.count("login_failed") == settings.AXES_FAILURE_LIMIT
    assert events.count("locked_out") == 1 and events[-1] == "login_refused_locked"
    assert len(events) == settings.AXES_FAILURE_LIMIT + 2
    client.force_login(manager_user)
    trail = client.get("/admin/audit/", {"user": desk_user.pk, "change_type": "v"}).text
    assert "ログイン失敗" in trail and "ロック" in trail


@pytest.mark.django_db
def test_a_failed_login_with_an_unknown_username_is_recorded_without_a_user(client):
    from privacyops.audit.models import AccessLog

    client.post("/admin/login/", {"username": "nobody-here", "password": "whatever-123456"})
    event = AccessLog.objects.get(kind="login_failed")
    assert event.user is None and event.path == "/admin/login/"


# ------------------------------------------------------------------------------------------
# Found by attacking the pieces above
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mark", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x00", "\x85"])
def test_every_control_character_is_refused_in_one_line_values(mark):
    from django.core.exceptions import ValidationError

    from requests_app.validators import reject_line_breaks

    with pytest.raises(ValidationError):
        reject_line_breaks(f"Acknowledgement{mark}Bcc: attacker@evil.example")


@pytest.mark.django_db
def test_an_email_address_with_a_control_character_is_refused(seed_orgs):
    from django.core.exceptions import ValidationError

    organization = seed_orgs[JUO]
    organization.desk_email = '"x\x0bBcc:attacker@evil.example"@example.com'
    with pytest.raises(ValidationError) as refused:
        organization.full_clean()
    assert "desk_email" in refused.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{{ 1|stringformat:"0300000000d" }}', "フィルタ"),
        ("{% for a in 'ab' %}{% for b in 'ab' %}{% for c in 'ab' %}x{% endfor %}{% endfor %}{% endfor %}", "入れ子"),
        ("x" * 20_001, "文字"),
        ("{% if 1 %}" * 300 + "x" + "{% endif %}" * 300, "入れ子"),
    ],
)
def test_a_template_that_could_tie_up_the_server_is_refused(client, manager_user, seed_orgs, body, message):
    client.force_login(manager_user)
    response = client.post("/admin/requests_app/lettertemplate/add/", template_form(seed_orgs[JUO], body))
    errors = response.context["adminform"].form.errors
    assert "body" in errors and message in " ".join(errors["body"]), errors


@pytest.mark.django_db
def test_a_template_that_writes_a_12_digit_number_is_not_drafted(client, travel, desk_user, policies):
    """Pieces the check cannot see ({{ "1234" }}{{ "5678" }}…) are caught in the drafted letter."""
    travel("2026-11-20")
    case = responding(desk_user, policies)
    LetterTemplate.objects.create(
        organization=case.organization, kind="result", language="ja", body='番号 {{ "1234" }}{{ "5678" }}{{ "9012" }}'
    )
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    assert not contains_individual_number(letter.body) and letter.warnings


@pytest.mark.django_db
def test_a_tracking_number_goes_with_registered_mail_only(travel, desk_user, policies):
    from django.core.exceptions import ValidationError

    travel("2026-11-20")
    case = responding(desk_user, policies)
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    with pytest.raises(ValidationError) as refused:
        services.response_send(actor=desk_user, letter=letter, method="post", tracking_number="123456789012")
    assert "tracking_number" in refused.value.message_dict


@pytest.mark.parametrize(
    "cell",
    [
        " =1+1",
        "\u3000=HYPERLINK(1)",
        "\u200b@SUM(A1)",
        "\u00a0-1+2",
        # Found by an attacker: the other invisible characters the detector drops.
        "\u00ad=cmd|'/c calc'!A1",
        "\u2061=1+1",
        "\u180e=1+1",
        "\u200e=1+1",
        "\u202e=1+1",
        "\U000e0020=1+1",
        "\u0301=1+1",
        "\u2028=1+1",
        "\n=1+1",
        # Found by a second attacker: fillers, Braille blank, control characters, small forms.
        "\u3164=1+1",
        "\uffa0=1+1",
        "\u2800=1+1",
        "\x00=1+1",
        "\x08=1+1",
        "\x7f=1+1",
        "\x85=1+1",
        "﹦1+1",
        "﹢1+1",
        "﹣1+1",
    ],
)
def test_a_formula_behind_spaces_or_invisible_characters_is_neutralised(cell):
    from privacyops.csv_safe import safe_cell

    assert safe_cell(cell).startswith("'")


def test_a_query_with_quotes_is_dropped_whole():
    from privacyops.logging import without_query_strings

    for line in [
        '"GET /admin/requests_app/request/?q=yoshida\'secret"name HTTP/1.1" 200',
        '"GET /admin/"?q=yoshida-secret HTTP/1.1" 404',  # found by an attacker: a quote in the path
        '"GET /admin/\'?q=yoshida-secret HTTP/1.1" 404',
    ]:
        cleaned = without_query_strings(line)
        assert "secret" not in cleaned.split(" HTTP")[0] and "yoshida" not in cleaned, line


@pytest.mark.django_db
def test_a_form_without_its_token_gets_a_japanese_page_in_the_admins_look(desk_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_user)
    response = client.post("/admin/requests_app/request/add/", {"notes": "x"})
    assert response.status_code == 403 and "有効期限が切れました" in response.text
    assert "<style" not in response.text  # nothing the Content-Security-Policy would block


@pytest.mark.django_db
def test_the_trail_shows_only_colleagues_staff_records(client, manager_user, desk_user, other_org_user):
    """The staff history in the trail follows the directory's rule: colleagues only."""
    other_org_user.first_name = "秘密"
    other_org_user.save()
    desk_user.first_name = "同僚"
    desk_user.save()
    client.force_login(manager_user)
    trail = client.get("/admin/audit/", {"record_type": "user"}).text
    assert "同僚" in trail and "秘密" not in trail


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["kV9#q2Lm!x7Rt", "sakura-fubuki-kaisatsu-7", "correct horse battery staple"])
def test_strong_staff_passwords_are_accepted(desk_user, password):
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user=desk_user)


@pytest.mark.django_db
def test_behind_the_proxy_the_lockout_is_per_client_and_cannot_be_dodged_by_a_forged_header(
    client, desk_user, settings
):
    """The proxy overwrites X-Real-IP with its peer's address (CLIENT_IP_HEADER): one client's
    failures lock that client only; X-Forwarded-For as the client sends it changes nothing."""
    from django.test import Client

    from privacyops.audit.models import AccessLog

    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = {**proxy, "HTTP_X_REAL_IP": "198.51.100.7"}
    login = "/admin/login/?next=/admin/"
    for attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        # A new forged X-Forwarded-For each time does not make a new client.
        response = client.post(
            login,
            {"username": desk_user.username, "password": "wrong-password-123"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
            **attacker,
        )
    assert response.status_code == 429
    assert set(AccessLog.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}

    colleague = Client(**proxy, HTTP_X_REAL_IP="192.0.2.44")  # the same account, another office
    response = colleague.post(login, {"username": desk_user.username, "password": "pw-for-tests-only"})
    assert response.status_code == 302  # not locked by the attacker's failures

    garbage = Client(**proxy, HTTP_X_REAL_IP="198.51.100.7, 1.2.3.4")  # not one address: REMOTE_ADDR
    garbage.post(login, {"username": "nobody-here", "password": "wrong-password-123"})
    assert AccessLog.objects.filter(user=None).latest("id").ip_address == "10.0.0.2"


@pytest.mark.parametrize(
    "body",
    [
        '{% for a in "'
        + "x" * 3000
        + '" %}{% for b in "'
        + "x" * 3000
        + '" %}{% cycle "aaaa" "b" %}{% endfor %}{% endfor %}',
        "{% for a in 123 %}x{% endfor %}",
        '{% if items %}{% for a in "abc" %}{{ a }}{% endfor %}{% endif %}',
        # Found by a second attacker: a literal bound by "with", and "join" chained on itself.
        '{% with s="' + "x" * 3000 + '" %}{% for a in s %}{% for b in s %}.{% endfor %}{% endfor %}{% endwith %}',
        '{% with a="0123456789abcde" %}{% with b=a|join:a %}{{ b|length }}{% endwith %}{% endwith %}',
        "{% with b=items|join:items %}{{ b }}{% endwith %}",
        "{{ items|join:items }}",
    ],
)
def test_a_letter_template_cannot_loop_over_written_text(body):
    """Found by an attacker: 6 KB of template looping over its own literals wrote 184 MB."""
    from django.core.exceptions import ValidationError

    from requests_app.validators import validate_letter_template

    with pytest.raises(ValidationError) as refused:
        validate_letter_template(body)
    assert refused.value.code == "template_loop"
