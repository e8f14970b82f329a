"""Input rules shared by models, forms and services (SPEC §6, §16)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Twelve digits, written together or in groups of four (spaces or hyphens), not part of a longer
# number. Full-width digits are normalised first (NFKC), so "１２３４…" is caught too.
_INDIVIDUAL_NUMBER = re.compile(r"(?<!\d)\d{4}[ \-]?\d{4}[ \-]?\d{4}(?!\d)")


def contains_individual_number(text: str) -> bool:
    if not text:
        return False
    normalised = unicodedata.normalize("NFKC", str(text)).replace("ー", "-").replace("−", "-")
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
