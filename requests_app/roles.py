"""The three roles of SPEC §15 and the permissions each holds.

Groups are created and kept in step by data migrations (``sync_roles``): a migration that adds
models calls it again, so a fresh database and an upgraded one end with the same groups.
The mapping here is authoritative: permissions not listed are removed from the group.
"""

from django.utils.translation import gettext_lazy as _

DESK_STAFF = "desk staff"
DESK_MANAGER = "desk manager"
AUDITOR = "auditor"

ROLE_LABELS = {
    DESK_STAFF: _("Desk staff"),
    DESK_MANAGER: _("Desk manager"),
    AUDITOR: _("Auditor"),
}


# "app_label.codename" per role.
def _perms(app: str, models: tuple[str, ...], actions: tuple[str, ...], history: bool = False) -> set[str]:
    found = {f"{app}.{action}_{model}" for model in models for action in actions}
    if history:
        found |= {f"{app}.view_historical{model}" for model in models}
    return found


# The case and everything recorded on it.
CASE_MODELS = (
    "request",
    "requestitem",
    "identitydocument",
    "documentfile",
    "payment",
    "pause",
    "verification",
    "decision",
    "approval",
    "datasubject",
    "agent",
    "fulfilmenttask",
    "letter",
    "letterenclosure",
    "response",
    "portalaccess",
    "deliverylink",
)
# How the desk is set up: organizations and their published procedures.
SETUP_MODELS = (
    "organization",
    "organizationclosedday",
    "deskpolicy",
    "agentproofrule",
    "targetsystem",
    "lettertemplate",
    "portalsettings",
)

# Purposes, consents and records of provision (the consents app): read by every desk role; written
# through its services — consents, records and stops by the desk, published purposes and opt-out
# provisions (set-up) by managers. Records are never changed by hand (the purge ends them).
CONSENT_MODELS = ("purposeofuse", "consent", "optoutprovision", "provisionstop", "provisionrecord")
_VIEW_CONSENTS = _perms("consents", CONSENT_MODELS, ("view",), history=True)
_DESK_CONSENTS = _perms("consents", ("consent",), ("add", "change")) | _perms(
    "consents", ("provisionrecord", "provisionstop"), ("add",)
)
_SETUP_CONSENTS = _perms("consents", ("purposeofuse", "optoutprovision"), ("add", "change"))

# The staff directory (names, e-mails, groups) is for managers (their organizations' staff) and
# superusers: desk staff and auditors see colleagues' names where work shows them, not the directory.
_VIEW_STAFF = {"privacyops.view_user"}

# The identity documents' files themselves: the staff who verify, and their managers; not auditors,
# who see that a file was kept, its type, size and hash, and when it was erased.
_OPEN_FILES = {"requests_app.open_documentfile"}

# Legal holds (issue 15): every role reads them; managers place and lift them.
_VIEW_HOLDS = _perms("requests_app", ("legalhold",), ("view",), history=True)
_MANAGE_HOLDS = _perms("requests_app", ("legalhold",), ("add", "change"))

# Complaints and consultations (issue 15): desk staff register them and draft replies; a manager
# who did not draft the reply approves it (four eyes); auditors read them and their history.
_VIEW_COMPLAINTS = _perms("requests_app", ("complaint",), ("view",), history=True)
_WORK_COMPLAINTS = _perms("requests_app", ("complaint",), ("view", "add", "change"), history=True)
_APPROVE_COMPLAINTS = {"requests_app.approve_complaint_reply"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    # Works cases: registers, verifies, records fees and documents, decides. Reads case history.
    DESK_STAFF: _OPEN_FILES
    | _perms("requests_app", CASE_MODELS, ("view", "add", "change"), history=True)
    | _perms("requests_app", SETUP_MODELS, ("view",))
    | _VIEW_CONSENTS
    | _DESK_CONSENTS
    | _VIEW_HOLDS
    | _WORK_COMPLAINTS,
    # Everything desk staff do, plus approvals (four eyes), desk set-up and the audit trail.
    DESK_MANAGER: _VIEW_STAFF
    | _OPEN_FILES
    | {"privacyops.view_historicaluser", "requests_app.approve_decision", "requests_app.view_audit_trail"}
    | _perms("requests_app", CASE_MODELS, ("view", "add", "change"), history=True)
    | _perms("requests_app", SETUP_MODELS, ("view", "add", "change"), history=True)
    | _VIEW_CONSENTS
    | _DESK_CONSENTS
    | _SETUP_CONSENTS
    | _VIEW_HOLDS
    | _MANAGE_HOLDS
    | _WORK_COMPLAINTS
    | _APPROVE_COMPLAINTS,
    # Reads everything and the audit trail; changes nothing.
    AUDITOR: {"privacyops.view_historicaluser", "requests_app.view_audit_trail"}
    | _perms("requests_app", CASE_MODELS + SETUP_MODELS, ("view",), history=True)
    | _VIEW_CONSENTS
    | _VIEW_HOLDS
    | _VIEW_COMPLAINTS,
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the groups and give each exactly its permissions (usable from migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Migration state's app configs are stubs; create_permissions only needs the flag.
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Every permission any role names, in one query; the first by the model's ordering wins, as
    # ``.first()`` on each would pick.
    named = {dotted.split(".", 1)[1] for wanted in ROLE_PERMISSIONS.values() for dotted in wanted}
    found = {}
    for app_label, codename, pk in Permission.objects.filter(codename__in=named).values_list(
        "content_type__app_label", "codename", "pk"
    ):
        found.setdefault(f"{app_label}.{codename}", pk)
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        # Permissions of models added by later migrations are missing here: those re-sync then.
        group.permissions.set([found[dotted] for dotted in sorted(wanted) if dotted in found])
