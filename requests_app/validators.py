"""Input rules shared by models, forms and services (SPEC §6, §16)."""

import functools
import html
import itertools
import re
import unicodedata
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# ------------------------------------------------------------------------------------------
# The Individual Number (My Number, マイナンバー: 12 digits) is never stored (Number Act Art. 20).
# One detector for the whole kind of spelling:
# - digits: half- or full-width (NFKC), kanji numerals 〇零一二三四五六七八九 and the formal ones
#   (壱壹弐貳参參肆伍陸漆柒捌玖), HTML character references (&#49; &#x31;) and %-escapes, decoded
#   as often as they were encoded;
# - separators between digits, up to twelve in a row: spaces of any width, line breaks, dashes
#   and rules of every width (and the long-vowel mark ー an IME types for one), 〜 ～ ~, 、 , . : ;
#   / \ · ・ • ‧ ∙ _ + | * # =, quotes and brackets; format characters and combining marks
#   (zero-width spaces, soft hyphens, BOM, bidi marks, tags, accents, underlines) are dropped;
#   a word between digits (番, x) ends a number;
# - clear groupings are refused whatever the digits: 12 together; digit by digit; in threes
#   (3-3-3-3); in two or three groups of at least three digits (4-4-4, 6-6, 3-4-5 …);
# - other groupings with a group of four or more digits joined by blanks, dashes or dots
#   (1 2 3 4 5678 9012, 1234 5678-90-12) are refused too, unless they hold a date or a time;
# - what reads as something else is refused only when its 12 digits carry a valid check digit,
#   as every Individual Number does (Order for Enforcement of the Number Act, Art. 8): lists and
#   ranges (joined by 、 , ; 〜 ~), clock times (0900-1200 1300-1700), date-based numbers
#   (2026-1130-0042, 2026 11 30 1000), IPv4 addresses, amounts with thousands separators, international phone
#   numbers (+81 90 1234 5678), small groups (12 34 56 78 90 12); lists counting up evenly
#   (2024, 2025, 2026 · 101、102、103、104) are never a number;
# - never across Japanese phone numbers (052-589-3067(24時間受付)) or the desk's own references
#   and their ranges (2026-000001, 2026-000001〜000012).
# ------------------------------------------------------------------------------------------
# Invisible characters: zero-width, joiners, soft hyphen, BOM, direction marks and embeddings,
# invisible operators, variation selectors, the Hangul filler.
_INVISIBLE = dict.fromkeys(
    [*map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u034f\u3164\u115f\u1160\u200e\u200f"),
     *range(0x202A, 0x202F), *range(0x2061, 0x2065), *range(0x2066, 0x206A), *range(0xFE00, 0xFE10)],
    None,
)  # fmt: skip
# Kanji numerals, the formal ones (大字) and ○ written for zero.
_KANJI_DIGITS = str.maketrans(
    "〇○零一二三四五六七八九壱壹弐貳参參肆伍陸漆柒捌玖", "000123456789" + "11223345677" + "89"
)
_SEPARATOR = (
    r"[\s\-\u2010-\u2015\u2212\u2500-\u257f\u2e3a\u2e3b\u2043\u2027\u2219\u30fc\u301c\u3030~、,.:;/\\"
    r"\u00b7\u2022\u30fb\u00b0_。+|()（）*#=\"'`\u201c\u201d\u2018\u2019\u301d\u301e\u301f\[\]"
    r"【】「」『』〔〕<>\u2800\ufffc※→⁄¦‿±^!?&$%{}♪☆〃]"
)
_RUN = re.compile(rf"\d(?:{_SEPARATOR}{{0,12}}\d)*")
# Circled digits that NFKC leaves as they are (❶ ⓵ ➀ ➊ ⓿).
_CIRCLED_DIGITS = str.maketrans(
    "❶❷❸❹❺❻❼❽❾⓵⓶⓷⓸⓹⓺⓻⓼⓽➀➁➂➃➄➅➆➇➈➊➋➌➍➎➏➐➑➒⓿",
    "123456789" * 4 + "0",
)
_GROUP = re.compile(r"\d+")
# Separators that join the parts of one number (blanks, dashes, dots): a mixed grouping joined
# only by these is one number; brackets, quotes, list marks … may end one number and start another
# (052-589-3067(24時間受付)).
_JOINER = re.compile(r"[\s\-\u2010-\u2015\u2212\u2500-\u257f\u2e3a\u2e3b\u2043\u30fc.\u00b7\u2022\u30fb\u2027\u2219_]+")
# Separators that make a list or a range of several numbers.
_LIST_MARKS = frozenset("、,;〜~\u3030")
# Japanese phone numbers (03-1234-5678, 052-589-3067, 090-1234-5678, 0120(123)456): 10 or 11
# digits from a leading 0, read as one token, so that a phone number and the digits after it
# (052-589-3067(24時間受付)) are never taken together.
_PHONE = re.compile(
    r"(?<![\d\-\u2010-\u2015\u2212\u30fc])"
    r"0[1-9]\d{0,3}[\-\u2010-\u2015\u2212\u30fc(（]\d{1,4}[\-\u2010-\u2015\u2212\u30fc)）]\d{3,4}"
    r"(?!\d|[\-\u2010-\u2015\u2212\u30fc]\d)"
)
_PHONE_PLAIN = re.compile(
    r"(?<![\d\-\u2010-\u2015\u2212\u30fc.])0[1-9]\d{8,9}(?!\d)"
    r"|(?<!\d)(?<!\d\.)0[1-9]\d{0,3}\.\d{1,4}\.\d{3,4}(?!\d|\.\d)"
)
# The desk's references (YYYY-NNNNNN) and ranges of them: read as one token, not as digits.
_REFERENCE = re.compile(
    r"(?<![\d\-])(?:19|20)\d\d-\d{6}"
    r"(?:\s?[〜~\u3030]\s?(?:(?:19|20)\d\d-)?\d{6}(?!\d)|(?!\s?[-\u2010-\u2015\u2212\u30fc]?\s?\d))"
)


def fold(text: str) -> str:
    """``text`` as compared, the one way the project folds text: NFKC (full-width → half-width,
    ㈱ → (株)), case folded, invisible characters dropped, hiragana as katakana. Names, member IDs
    and recipients add their own rules on top (spaces, dashes, legal forms)."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().translate(_INVISIBLE)
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in folded)


# Variant kanji of names and places (異体字) read as their common form, so that a desk searching
# 高橋 finds 髙橋: the 12 "unified" compatibility ideographs NFKC keeps (﨑 …), old forms (旧字体),
# and the small ヶ/ヵ written for ケ/カ in place names.
_VARIANT_KANJI = str.maketrans(
    {
        **dict.fromkeys("髙", "高"),
        **dict.fromkeys("﨑嵜碕", "崎"),
        **dict.fromkeys("𠮷", "吉"),
        **dict.fromkeys("齋齊斉", "斎"),
        **dict.fromkeys("邊邉", "辺"),
        **dict.fromkeys("濵濱", "浜"),
        **dict.fromkeys("澤", "沢"),
        **dict.fromkeys("嶋嶌", "島"),
        **dict.fromkeys("冨", "富"),
        **dict.fromkeys("德", "徳"),
        **dict.fromkeys("瀨", "瀬"),
        **dict.fromkeys("槇", "槙"),
        **dict.fromkeys("眞", "真"),
        **dict.fromkeys("惠", "恵"),
        **dict.fromkeys("實", "実"),
        **dict.fromkeys("廣", "広"),
        **dict.fromkeys("國", "国"),
        **dict.fromkeys("櫻", "桜"),
        **dict.fromkeys("圓", "円"),
        **dict.fromkeys("壽", "寿"),
        **dict.fromkeys("榮", "栄"),
        **dict.fromkeys("藏", "蔵"),
        **dict.fromkeys("淺", "浅"),
        **dict.fromkeys("龍", "竜"),
        **dict.fromkeys("鐵", "鉄"),
        **dict.fromkeys("峯", "峰"),
        **dict.fromkeys("舘", "館"),
        **dict.fromkeys("藪", "薮"),
        **dict.fromkeys("曾", "曽"),
        **dict.fromkeys("會", "会"),
        **dict.fromkeys("靑", "青"),
        **dict.fromkeys("來", "来"),
        **dict.fromkeys("與", "与"),
        **dict.fromkeys("萬", "万"),
        **dict.fromkeys("禮", "礼"),
        "ヶ": "ケ",
        "ヵ": "カ",
    }
)
# Dashes and rules of every width read as one hyphen (addresses: 1-2-3, 1－2－3, 1ー2ー3).
_ANY_DASH = dict.fromkeys(map(ord, "‐‑‒–—―−－─━"), "-")


def search_key(text: str) -> str:
    """``text`` as the desk searches and matches people: ``fold`` (width, case, hiragana as
    katakana: ``ｽｽﾞｷ``, ``すずき`` and ``スズキ`` are one key), common variant kanji as their usual
    form (髙→高, 﨑→崎, 𠮷→吉, 齋/齊/斉→斎, 邊/邉→辺 …), every dash as ``-``, without spaces of any
    width. Used for the stored search key of a case and for what is typed into the search box,
    and for the same-person match of names."""
    folded = fold(text).translate(_ANY_DASH).translate(_VARIANT_KANJI)
    return "".join(folded.split())


def _without_marks(text: str) -> str:
    """NFKC, then without format characters and combining marks (zero-width characters, bidi
    controls, tags, accents and underlines put on digits) — for reading digits only."""
    plain = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_CIRCLED_DIGITS)
    return "".join(c for c in plain if unicodedata.category(c) not in {"Cf", "Mn", "Me"})


def _phone_token(match: re.Match) -> str:
    digits = sum(c.isdigit() for c in match.group())
    return "#" if digits in (10, 11) else match.group()


def _decoded(text: str) -> str:
    """HTML character references and %-escapes undone, as many times as they were applied."""
    for _round in range(4):
        decoded = unquote(html.unescape(text))
        if decoded == text:
            break
        text = decoded
    return text


def _readings(text: str) -> set[str]:
    """The text as digits are read in it: as written (after NFKC, marks dropped), with kanji
    numerals read as digits — both, so that 「9012一覧」 still ends a number — and the same after
    HTML character references and %-escapes are decoded. References are masked."""
    readings = set()
    for source in {str(text), _decoded(str(text))}:
        plain = _without_marks(source)
        for reading in (plain, plain.translate(_KANJI_DIGITS)):
            masked = _PHONE.sub(_phone_token, _REFERENCE.sub("#", reading))
            readings.add(_PHONE_PLAIN.sub(_phone_token, masked))
    return readings


def _check_digit_valid(digits: str) -> bool:
    """Whether the 12th digit is the check digit of the first 11, as in every Individual Number
    (Order for Enforcement of the Number Act, Art. 8): weights 2–7 then 2–6 from the right,
    11 minus the remainder mod 11, 0 when the remainder is 0 or 1."""
    total = sum(int(d) * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(digits[:11]), start=1))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


def _clear_grouping(sizes: list[int]) -> bool:
    """Groups of these sizes (12 digits in all) that can only be one number written in parts."""
    if len(sizes) <= 3 and min(sizes) >= 3:
        return True
    return len(set(sizes)) == 1 and sizes[0] in {1, 3}


def _list_kind(groups: list[str], separators: list[str]) -> str | None:
    """How equal-width groups counting up read: ``"sequence"`` when three or more step evenly
    and are joined by list or range marks (2024, 2025, 2026 · 101、102、103、104: several numbers,
    never one); ``"list"`` when joined by such marks otherwise, or when all are clock times
    (0900-1200 1300-1700): several numbers unless the check digit says otherwise; else ``None``."""
    values = [int(group) for group in groups]
    if len({len(group) for group in groups}) != 1 or not all(a < b for a, b in itertools.pairwise(values)):
        return None
    marked = any(_LIST_MARKS & set(separator) for separator in separators)
    if len(values) >= 3 and len({b - a for a, b in itertools.pairwise(values)}) == 1:
        return "sequence"  # 1000 2000 3000 · 2024, 2025, 2026
    if marked or all(len(g) == 4 and int(g[:2]) <= 23 and int(g[2:]) <= 59 for g in groups):
        return "list"
    return None


def _time_or_day(groups: list[str], separators: list[str]) -> bool:
    """A time (10:00, 10:00:30) or a month and day (11/30, 2026/11/30) in the digits: at most two
    : or / in the window, with hours and minutes, or a month and a day, around one of them."""
    pairs = list(zip(groups, separators, groups[1:], strict=False))
    colons = sum(":" in sep for sep in separators)
    slashes = sum("/" in sep for sep in separators)
    return (
        colons <= 2
        and any(
            ":" in sep and len(left) <= 2 and int(left) <= 23 and len(right) == 2 and int(right) <= 59
            for left, sep, right in pairs
        )
    ) or (
        slashes <= 2
        and any(
            "/" in sep and len(left) <= 2 and 1 <= int(left) <= 12 and len(right) <= 2 and 1 <= int(right) <= 31
            for left, sep, right in pairs
        )
    )


def _year_month_day(groups: list[str]) -> bool:
    """Year, month and day groups (2026 11 30, 2026-11-30)."""
    return any(
        len(year) == 4
        and 1900 <= int(year) <= 2099
        and len(month) <= 2
        and len(day) <= 2
        and 1 <= int(month) <= 12
        and 1 <= int(day) <= 31
        for year, month, day in zip(groups, groups[1:], groups[2:], strict=False)
    )


def _reads_as_something_else(groups: list[str], separators: list[str]) -> bool:
    """Clear groups that read as another number: date-based (2026-1130-0042), an IPv4 address,
    an amount with thousands separators (123,456,789,012)."""
    first = groups[0]
    month_day = groups[1] if len(groups) == 3 else ""
    if len(first) == 4 and 1900 <= int(first) <= 2099 and len(month_day) == 4 and 1 <= int(month_day[:2]) <= 12:
        return 1 <= int(month_day[2:]) <= 31
    if len(groups) == 4 and all(int(g) <= 255 for g in groups) and set(separators) == {"."}:
        return True
    return set(separators) == {","} and all(len(g) == 3 for g in groups[1:])


def _is_individual_number(groups: list[str], separators: list[str], *, phone: bool = False) -> bool:
    """Whether these consecutive digit groups (12 digits) spell an Individual Number (rules
    above). ``phone``: the run began with + (an international phone number)."""
    sizes = [len(group) for group in groups]
    check_digit = _check_digit_valid("".join(groups))
    if _clear_grouping(sizes):
        kind = _list_kind(groups, separators)
        if kind == "sequence":
            return False
        if len(groups) == 2 and sizes[0] != sizes[1] and separators[0].isspace():
            return check_digit  # two numbers side by side (受付番号 12345678 2026/11/30)
        if kind is None and not phone and not _reads_as_something_else(groups, separators):
            return True
        return check_digit
    if _time_or_day(groups, separators):
        return False
    joined = all(_JOINER.fullmatch(separator) for separator in separators)
    if max(sizes) >= 4 and joined and not phone and not _year_month_day(groups):
        return True  # 1 2 3 4 5678 9012, 1234 5678-90-12: parts of one number
    return check_digit  # 12, 34, 56, 78, 90, 12 or +81 90 1234 5678: others, unless the check digit says not


def contains_individual_number(text: str) -> bool:
    """Whether ``text`` holds something that may be an Individual Number, however it is spelled."""
    if not text:
        return False
    for reading in _readings(text):
        for run in _RUN.finditer(reading):
            found = run.group()
            groups = _GROUP.findall(found)
            separators = _GROUP.split(found)[1:-1]
            phone = reading[max(0, run.start() - 2) : run.start()].rstrip().endswith("+")
            for start in range(len(groups)):
                total = 0
                for end in range(start, len(groups)):
                    total += len(groups[end])
                    if total > 12:
                        break
                    window, between = groups[start : end + 1], separators[start:end]
                    if total == 12 and _is_individual_number(window, between, phone=phone and start == 0):
                        return True
    return False


def reject_individual_number(value: str) -> None:
    """The system never stores an Individual Number (My Number): refuse any 12-digit number."""
    if contains_individual_number(value):
        raise ValidationError(
            _(
                "This text contains a 12-digit number. It may be an Individual Number (My Number), "
                "which this system must never store. Remove it or write only what is needed "
                "(e.g. “My Number masked”)."
            ),
            code="individual_number",
        )


# A delivery's tracking number (お問い合わせ番号): digits in groups, nothing else — the one field
# where a 12-digit number (Japan Post's 4-4-4) is kept, because it can hold nothing else.
validate_tracking_number = RegexValidator(
    r"^(?:\d{10,14}|\d{2,6}(?:[- ]\d{2,6}){1,3})$",
    _("Write the tracking number as its digits, e.g. 1234-5678-9012."),
    code="tracking_number",
)


def reject_line_breaks(value: str) -> None:
    """A one-line value that may become an e-mail header (title, name, address, e-mail address)
    carries no line break nor any other control character — Python's mail code breaks lines at
    \x0b, \x0c, \x1c–\x1e too (header injection)."""
    if value and any(unicodedata.category(char) in {"Cc", "Zl", "Zp"} for char in value):
        raise ValidationError(_("Write this on one line (no line breaks)."), code="line_break")


# What an organization's letter template may use: conditions, loops and plain output. Loading
# libraries, including other templates, debugging and everything else is refused when it is saved.
LETTER_TEMPLATE_TAGS = frozenset(
    {
        "if",
        "elif",
        "else",
        "endif",
        "for",
        "empty",
        "endfor",
        "with",
        "endwith",
        "comment",
        "endcomment",
        "firstof",
        "now",
        "cycle",
        "ifchanged",
        "endifchanged",
        "spaceless",
        "endspaceless",
    }
)


@functools.cache
def letter_template_engine():
    """The engine organization letter templates are checked and rendered with: Django's built-in
    tags and filters only, no template libraries, no template files."""
    from django.template import Engine

    return Engine(libraries={}, builtins=["django.template.defaulttags", "django.template.defaultfilters"])


# Filters a letter may use (no padding or repetition that could blow a letter up: stringformat,
# center, ljust, rjust, make_list … are refused), and how deep tags may nest.
LETTER_TEMPLATE_FILTERS = frozenset(
    {
        "date",
        "time",
        "default",
        "default_if_none",
        "length",
        "upper",
        "lower",
        "capfirst",
        "title",
        "join",
        "first",
        "last",
        "floatformat",
        "yesno",
        "pluralize",
        "truncatechars",
        "cut",
    }
)
LETTER_TEMPLATE_MAX_LENGTH = 20_000
LETTER_TEMPLATE_MAX_DEPTH = 6
LETTER_TEMPLATE_MAX_LOOPS = 2
_OPENING = {"if", "for", "with", "comment", "spaceless", "ifchanged"}
_FILTER = re.compile(r"\|\s*(\w+)")


def validate_letter_template(value: str) -> None:
    """A letter template's body: valid Django template syntax using only ``LETTER_TEMPLATE_TAGS``
    and ``LETTER_TEMPLATE_FILTERS``, at most ``LETTER_TEMPLATE_MAX_LENGTH`` characters, tags nested
    at most ``LETTER_TEMPLATE_MAX_DEPTH`` deep and loops ``LETTER_TEMPLATE_MAX_LOOPS`` deep (a
    letter is drafted within the page's time). Raises ``ValidationError`` naming what is refused."""
    from django.template import TemplateSyntaxError
    from django.template.base import Lexer, TokenType

    value = value or ""
    if len(value) > LETTER_TEMPLATE_MAX_LENGTH:
        raise ValidationError(
            _("A letter template has at most %(limit)d characters."),
            code="template_length",
            params={"limit": LETTER_TEMPLATE_MAX_LENGTH},
        )
    tokens = Lexer(value).tokenize()
    refused, filters, stack, deepest, loops = set(), set(), [], 0, 0
    for token in tokens:
        if token.token_type not in (TokenType.BLOCK, TokenType.VAR):
            continue
        filters |= {name for name in _FILTER.findall(token.contents) if name not in LETTER_TEMPLATE_FILTERS}
        if token.token_type != TokenType.BLOCK or not token.contents.split():
            continue
        tag = token.contents.split()[0]
        if tag not in LETTER_TEMPLATE_TAGS:
            refused.add(tag)
        elif tag in _OPENING:
            stack.append(tag)
            deepest = max(deepest, len(stack))
            loops = max(loops, stack.count("for"))
        elif tag.startswith("end") and stack:
            stack.pop()
    if refused:
        raise ValidationError(
            _("These template tags are not allowed in a letter: %(tags)s. Allowed: %(allowed)s."),
            code="template_tag",
            params={"tags": ", ".join(sorted(refused)), "allowed": ", ".join(sorted(LETTER_TEMPLATE_TAGS))},
        )
    if filters:
        raise ValidationError(
            _("These filters are not allowed in a letter: %(filters)s. Allowed: %(allowed)s."),
            code="template_filter",
            params={"filters": ", ".join(sorted(filters)), "allowed": ", ".join(sorted(LETTER_TEMPLATE_FILTERS))},
        )
    if deepest > LETTER_TEMPLATE_MAX_DEPTH or loops > LETTER_TEMPLATE_MAX_LOOPS:
        raise ValidationError(
            _("Tags are nested too deep (at most %(depth)d levels, loops %(loops)d)."),
            code="template_depth",
            params={"depth": LETTER_TEMPLATE_MAX_DEPTH, "loops": LETTER_TEMPLATE_MAX_LOOPS},
        )
    try:
        template = letter_template_engine().from_string(value)
    except (TemplateSyntaxError, RecursionError) as error:
        raise ValidationError(
            _("The template has a syntax error: %(error)s"), code="template_syntax", params={"error": str(error)[:300]}
        ) from None
    _check_loops(template)


def _check_loops(template) -> None:
    """A loop goes over the case's data (its items, letters …), never over text written in the
    template: a loop over a long literal, nested, would write megabytes (and time out the page).
    For the same reason ``with`` only names the case's data (no literal, no filter) and ``join``
    joins with written text only."""
    from django.template.base import Variable
    from django.template.defaulttags import ForNode, WithNode

    def plain_variable(expression) -> bool:
        variable = expression.var
        return isinstance(variable, Variable) and variable.literal is None and not expression.filters

    for node in template.nodelist.get_nodes_by_type(ForNode):
        if not isinstance(node.sequence.var, Variable) or node.sequence.var.literal is not None:
            raise ValidationError(
                _("A loop in a letter goes over the case's data (e.g. “items”), not over written text."),
                code="template_loop",
            )
    for node in template.nodelist.get_nodes_by_type(WithNode):
        if not all(plain_variable(value) for value in node.extra_context.values()):
            raise ValidationError(
                _("“with” in a letter names the case's data only (no written text, no filter)."),
                code="template_loop",
            )
    for token in _JOIN_ARGUMENT.findall(template.source):
        if not token.startswith(("'", '"')):
            raise ValidationError(_("“join” in a letter joins with written text only."), code="template_loop")


_JOIN_ARGUMENT = re.compile(r"\|\s*join\s*:\s*(\S)")
