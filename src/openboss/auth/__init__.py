"""Authentication, authorisation and row scope.

OAuth2 token endpoint issuing JWT access tokens (password grant for staff and
customers, client credentials for partner systems), argon2 password hashes,
roles, and the :class:`Principal` every request carries.
"""

from openboss.auth.principal import ROLES, Principal

__all__ = ["ROLES", "Principal"]
