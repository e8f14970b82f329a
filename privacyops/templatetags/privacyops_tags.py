from django import template
from django.utils.translation import gettext

register = template.Library()


# Lines a Japanese business letter sets apart: closing words to the right, "記" in the centre.
_RIGHT = {"敬具", "以上", "草々", "Yours faithfully,"}
_CENTRE = {"記"}


@register.filter
def letter_lines(text):
    """Split a letter body into (css class, line) for the print layout."""
    lines = []
    for line in (text or "").split("\n"):
        stripped = line.strip()
        css = "right" if stripped in _RIGHT else "centre" if stripped in _CENTRE else ""
        lines.append((css, line))
    return lines


@register.filter
def yen(value):
    """An amount in yen as every page writes it, with thousands separators: ``1,000円`` (Japanese),
    ``1,000 yen`` (English); "—" for none."""
    if value in (None, ""):
        return "—"
    return gettext("%(amount)s yen") % {"amount": f"{int(value):,}"}
