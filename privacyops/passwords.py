"""Staff password rules beyond Django's and zxcvbn's own (issue 12)."""

import unicodedata

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    NumericPasswordValidator,
    UserAttributeSimilarityValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_zxcvbn_password_validator import ZxcvbnPasswordValidator


class FoldedPasswordValidator:
    """A password typed in full-width letters and digits (ｐａｓｓｗｏｒｄ１２３４) is checked as
    its ordinary form (password1234) by the other rules: common, all digits, like the user's
    names, guessable. Same messages as those rules; nothing more to pass when nothing folds."""

    def __init__(self):
        self.rules = [
            UserAttributeSimilarityValidator(),
            CommonPasswordValidator(),
            NumericPasswordValidator(),
            ZxcvbnPasswordValidator(),
        ]

    def validate(self, password, user=None):
        folded = unicodedata.normalize("NFKC", password or "")
        if folded == password:
            return
        errors = []
        for rule in self.rules:
            try:
                rule.validate(folded, user)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _("Full-width letters and digits count as the ordinary ones.")
