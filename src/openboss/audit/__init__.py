"""Audit log: every create, update, state change and delete of an audited table.

Tables opt in with ``__audited__ = True``. A session hook writes one
``audit_log`` row per changed row in the same transaction (who, when, what,
before → after), so nothing is audited for work that rolled back and nothing
that committed escapes the log.
"""

from openboss.audit.hooks import install_audit_hooks, record_changes

__all__ = ["install_audit_hooks", "record_changes"]
