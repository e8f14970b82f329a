"""Every write to a case (STYLE: services). ``from requests_app import services`` gives them all.

- ``cases``: the lifecycle from intake to approval and early ends (SPEC §4–§8)
- ``responses``: letters, delivery records, fulfilment tasks, closing (SPEC §9, §10)
- ``reminders``: the deadline sweep and the digests (SPEC §13)
- ``retention``: erasing personal data of ended cases (SPEC §14)
- ``portal``: what the requester does online: requests, documents, downloads (issue 14)
- ``complaints``: complaints and consultations, the reply approved with four eyes (issue 15)
- ``common``: errors, locking, saving with history, input checks

What is allowed when is in ``requests_app.pipeline``; state derived from a case (fee, documents,
clock) in ``requests_app.derived``.
"""

from requests_app.services.cases import *  # noqa: F403
from requests_app.services.common import DuplicateSubmission, EditConflict, TransitionNotAllowed  # noqa: F401
from requests_app.services.complaints import *  # noqa: F403
from requests_app.services.portal import *  # noqa: F403
from requests_app.services.reminders import *  # noqa: F403
from requests_app.services.responses import *  # noqa: F403
from requests_app.services.retention import *  # noqa: F403
