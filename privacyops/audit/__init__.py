"""The audit trail (SPEC §12) as an app of the project package: history helpers, the operation
codes' labels, the access log, and the one timeline over every app's history.

It imports no app code. Each app plugs in from its ``AppConfig.ready()``:
``registry.register_sources(...)`` for its history tables, ``registry.register_operations(...)``
for the labels of its operation codes, ``registry.register_scope(...)`` for how a user's
organizations and a case reference are resolved.
"""
