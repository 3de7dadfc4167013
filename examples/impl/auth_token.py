"""A session token with a bounded lifetime: the implementation behind `examples/auth_token.sf` (spec AuthToken).

Durations are `datetime.timedelta` throughout: `now`, `token.issued_at` and
`token.ttl` are timedeltas (time since the server started), and `issue(ttl=)`
and `tick(dt=)` take timedeltas (a plain number is read as seconds).
The token is a small record, read as `auth.token.ttl` and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

ZERO = timedelta(0)


class AuthError(Exception):
    """Base class of every refusal of the token service."""


class TokenAlreadyIssued(AuthError):
    pass


class TtlTooShort(AuthError):
    pass


class TtlTooLong(AuthError):
    pass


class TokenInvalid(AuthError):
    pass


class RefreshTooSoon(AuthError):
    pass


def as_timedelta(value: timedelta | int | float) -> timedelta:
    """A timedelta as is; a number as that many seconds."""
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


@dataclass
class Token:
    issued_at: timedelta = ZERO
    ttl: timedelta = ZERO
    valid: bool = False

    @property
    def expires_at(self) -> timedelta:
        return self.issued_at + self.ttl


class AuthToken:
    """One bearer token next to the server clock."""

    MAX_TTL = timedelta(minutes=15)
    MIN_TTL = timedelta(seconds=1.5)
    REFRESH_TTL = timedelta(seconds=900)
    REFRESH_COOLDOWN = timedelta(milliseconds=250)

    def __init__(self) -> None:
        self.now = ZERO
        self.token = Token()

    def __repr__(self) -> str:
        return f"AuthToken(now={self.now}, token={self.token})"

    def _require_valid(self) -> Token:
        if not self.token.valid:
            raise TokenInvalid("no valid token")
        return self.token

    def issue(self, ttl: timedelta) -> None:
        ttl = as_timedelta(ttl)
        if self.token.valid:
            raise TokenAlreadyIssued("a token is already valid; revoke it first")
        if ttl < self.MIN_TTL:
            raise TtlTooShort(f"ttl {ttl} is below the minimum {self.MIN_TTL}")
        if ttl > self.MAX_TTL:
            raise TtlTooLong(f"ttl {ttl} is above the maximum {self.MAX_TTL}")
        self.token = Token(issued_at=self.now, ttl=ttl, valid=True)

    def refresh(self) -> None:
        token = self._require_valid()
        ready_at = token.issued_at + self.REFRESH_COOLDOWN
        if self.now < ready_at:
            raise RefreshTooSoon(f"next refresh allowed at {ready_at}, it is {self.now}")
        token.issued_at = self.now
        token.ttl = self.REFRESH_TTL

    def tick(self, dt: timedelta) -> None:
        """Advance the clock by `dt` (never negative: the caller's promise) and expire the token if due."""
        self.now += as_timedelta(dt)
        if self.token.valid and self.now >= self.token.expires_at:
            self.token.valid = False

    def revoke(self) -> None:
        self._require_valid().valid = False
