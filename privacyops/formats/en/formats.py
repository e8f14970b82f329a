"""English: the same display formats as Japanese (``privacyops.formats.ja``); input formats are
English's own (Django's en locale), which accept ISO dates too."""

from privacyops.formats.ja.formats import *  # noqa: F403

del DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F821
