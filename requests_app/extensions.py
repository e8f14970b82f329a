"""Where other apps plug into the desk's work without the requests app importing them.

The consents app (SPEC §11) registers, from its ``AppConfig.ready()``:

- ``purposes(case) -> list[tuple[str, list[str]]]``: the purposes of use in force for the case's
  person on the day the request reached us, as (data category label, [purpose, …]);
- ``provision_records(case) -> list[dict]``: the person's records of provision and receipt for a
  third-party record disclosure (keys: direction, counterparty, provided_on, items, excluded);
- ``decision_effective(case, actor)``: called when the case's decisions take effect (submitted
  without approval, or approved), e.g. to stop provision after a granted suspension;
- ``demo_seed(organizations, actor)``: called by ``seed_demo`` after the organizations exist
  (``{code: Organization}``), to add the app's demo data;
- ``case_panels(case, actor) -> list[str]``: HTML sections (already escaped, safe) shown on the
  case page, e.g. what we hold about the person;
- ``case_history_sources(case) -> list[tuple]``: more (label, history queryset, row label) for the
  case's history page, e.g. the consents withdrawn and the stops made through the case.

Without a registered provider the hooks answer "nothing recorded" (the letter then holds a marked
blank for staff to fill in) and do nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_purposes: list[Callable] = []
_provision_records: list[Callable] = []
_decision_effective: list[Callable] = []
_demo_seed: list[Callable] = []
_case_panels: list[Callable] = []
_case_history_sources: list[Callable] = []


def register(
    *,
    purposes=None,
    provision_records=None,
    decision_effective=None,
    demo_seed=None,
    case_panels=None,
    case_history_sources=None,
) -> None:
    """Register providers (idempotent: registering the same callable twice keeps one)."""
    for hooks, func in (
        (_purposes, purposes),
        (_provision_records, provision_records),
        (_decision_effective, decision_effective),
        (_demo_seed, demo_seed),
        (_case_panels, case_panels),
        (_case_history_sources, case_history_sources),
    ):
        if func is not None and func not in hooks:
            hooks.append(func)


def purposes(case) -> list[tuple[str, list[str]]]:
    return [group for provider in _purposes for group in provider(case)]


def provision_records(case) -> list[dict]:
    return [record for provider in _provision_records for record in provider(case)]


def decision_effective(case, actor) -> None:
    for hook in _decision_effective:
        hook(case, actor)


def demo_seed(*, organizations: dict, actor) -> None:
    for hook in _demo_seed:
        hook(organizations=organizations, actor=actor)


def case_panels(case, actor) -> list[str]:
    return [panel for provider in _case_panels for panel in provider(case, actor)]


def case_history_sources(case) -> list[tuple]:
    return [source for provider in _case_history_sources for source in provider(case)]
