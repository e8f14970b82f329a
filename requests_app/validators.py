"""Input rules shared by models, forms and services (SPEC §6, §16)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Twelve digits, written together or in groups of four with any usual separator (spaces, line
# breaks, hyphens and dashes, dots, slashes, 「・」), not part of a longer number. Full-width
# digits are normalised first (NFKC), so "１２３４…" is caught too.
_SEPARATOR = r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212\u30fb\uff65./_]{0,3}"
_INDIVIDUAL_NUMBER = re.compile(rf"(?<!\d)\d{{4}}{_SEPARATOR}\d{{4}}{_SEPARATOR}\d{{4}}(?!\d)")


def contains_individual_number(text: str) -> bool:
    if not text:
        return False
    normalised = unicodedata.normalize("NFKC", str(text)).replace("ー", "-")
    return bool(_INDIVIDUAL_NUMBER.search(normalised))


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
