"""Every write to a case (STYLE: services). ``from requests_app import services`` gives them all.

- ``cases``: the lifecycle from intake to approval and early ends (SPEC §4–§8)
- ``responses``: letters, delivery records, fulfilment tasks, closing (SPEC §9, §10)
- ``retention``: erasing personal data of ended cases (SPEC §14)
- ``common``: errors, locking, history, and state derived from a case
"""

from requests_app.services.cases import *  # noqa: F403
from requests_app.services.common import (  # noqa: F401
    DEFAULT_AGENT_PROOFS,
    DuplicateSubmission,
    EditConflict,
    FeeStatus,
    TransitionNotAllowed,
    clock_periods,
    deadline_rule,
    fee_status,
    id_rule_text,
    identity_missing,
)
from requests_app.services.reminders import *  # noqa: F403
from requests_app.services.responses import *  # noqa: F403
from requests_app.services.responses import LETTER_STATES, close_blockers  # noqa: F401
from requests_app.services.retention import *  # noqa: F403
