"""argon2id password hashing (argon2-cffi defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password, refused outside demo mode
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: A hash of nothing in particular, verified when the user does not exist so that
#: the response time does not reveal which usernames exist.
DUMMY_HASH = _hasher.hash("openboss-no-such-user")
