"""Buggy variants of `examples/impl/auth_token.py` (spec AuthToken, `examples/auth_token.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

from datetime import timedelta

try:
    from ..impl import auth_token as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_auth_token",
        pathlib.Path(__file__).resolve().parents[1] / "impl" / "auth_token.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)


class ExpiresOneTickLate(impl.AuthToken):
    """Off-by-one in the expiry test: the token is still valid at exactly its
    expiry instant (`>` where the spec has `now < issued_at + ttl`).

    Caught by tick's effect `token.valid := token.valid ∧ now < token.issued_at + token.ttl`
    and by SEC.AUTH-2: `issue(ttl=1.5 s)` then `tick(dt=1.5 s)` must leave the
    token invalid.
    """

    def tick(self, dt: timedelta) -> None:
        self.now += impl.as_timedelta(dt)
        if self.token.valid and self.now > self.token.expires_at:
            self.token.valid = False


class CooldownOffByOne(impl.AuthToken):
    """Off-by-one in a guard: a refresh exactly REFRESH_COOLDOWN (250 ms) after
    issue is refused.

    Caught by refresh's `requires now ≥ token.issued_at + REFRESH_COOLDOWN else
    RefreshTooSoon`: `issue(...)`, `tick(dt=250 ms)`, `refresh()` must succeed.
    """

    def refresh(self) -> None:
        token = self._require_valid()
        if self.now <= token.issued_at + self.REFRESH_COOLDOWN:
            raise impl.RefreshTooSoon("too soon")
        super().refresh()


class IssueChecksTtlFirst(impl.AuthToken):
    """Guard order swap: issue validates the requested ttl before noticing a
    token is already out.

    Caught by issue's guard order (TokenAlreadyIssued is the first guard):
    with a valid token, `issue(ttl=1 s)` must raise TokenAlreadyIssued, not
    TtlTooShort.
    """

    def issue(self, ttl: timedelta) -> None:
        ttl = impl.as_timedelta(ttl)
        if ttl < self.MIN_TTL:
            raise impl.TtlTooShort("ttl too short")
        if ttl > self.MAX_TTL:
            raise impl.TtlTooLong("ttl too long")
        super().issue(ttl=ttl)


class RefreshWithoutCooldown(impl.AuthToken):
    """Missing guard: refresh never enforces the cooldown.

    Caught by refresh's `requires now ≥ token.issued_at + REFRESH_COOLDOWN else
    RefreshTooSoon`: `issue(...)` then at once `refresh()` must raise
    RefreshTooSoon.
    """

    def refresh(self) -> None:
        token = self._require_valid()
        token.issued_at = self.now
        token.ttl = self.REFRESH_TTL


class TokenExpired(impl.AuthError):
    """A more specific error the buggy variant below invents; it is not a TokenInvalid."""


class RevokeRaisesTokenExpired(impl.AuthToken):
    """Wrong exception: revoking a token that timed out raises a new
    TokenExpired error, which is not (a subclass of) TokenInvalid.

    Caught by revoke's `requires token.valid else TokenInvalid`:
    `issue(ttl=1.5 s)`, `tick(dt=1.5 s)`, `revoke()` must raise TokenInvalid.
    """

    def revoke(self) -> None:
        if not self.token.valid and self.token.ttl and self.now >= self.token.expires_at:
            raise TokenExpired("the token has already expired")
        super().revoke()


class RefreshSetsTtlBeforeCooldownCheck(impl.AuthToken):
    """State changed before raising: refresh writes the new ttl, then finds
    the cooldown has not passed and raises with the ttl already changed.

    Caught by "a failed guard leaves the state unchanged" on refresh's
    RefreshTooSoon guard: `issue(ttl=1.5 s)` then `refresh()` must leave
    token.ttl at 1.5 s.
    """

    def refresh(self) -> None:
        token = self._require_valid()
        token.ttl = self.REFRESH_TTL
        if self.now < token.issued_at + self.REFRESH_COOLDOWN:
            raise impl.RefreshTooSoon("too soon")
        token.issued_at = self.now


class MinTtlInWholeSeconds(impl.AuthToken):
    """Rounding slip: the minimum lifetime is compared in whole seconds
    (`int(ttl.total_seconds()) < int(MIN_TTL.total_seconds())`, i.e. `< 1`),
    so lifetimes from 1 s to 1.499 s slip through.

    Caught by issue's `requires ttl ≥ MIN_TTL else TtlTooShort` (and
    SEC.AUTH-5): `issue(ttl=1499 ms)` (MIN_TTL minus 1 ms) must raise
    TtlTooShort.
    """

    def issue(self, ttl: timedelta) -> None:
        ttl = impl.as_timedelta(ttl)
        if self.token.valid:
            raise impl.TokenAlreadyIssued("already issued")
        if int(ttl.total_seconds()) < int(self.MIN_TTL.total_seconds()):
            raise impl.TtlTooShort("ttl too short")
        if ttl > self.MAX_TTL:
            raise impl.TtlTooLong("ttl too long")
        self.token = impl.Token(issued_at=self.now, ttl=ttl, valid=True)


class RevokeClearsTtl(impl.AuthToken):
    """Update of a neighbouring field: revoke also zeroes the token's ttl.

    Caught by revoke, which assigns only token.valid (token.ttl keeps its
    value): `issue(ttl=1.5 s)` then `revoke()` must leave token.ttl at 1.5 s.
    """

    def revoke(self) -> None:
        super().revoke()
        self.token.ttl = impl.ZERO


MUTANTS = [
    ExpiresOneTickLate,
    CooldownOffByOne,
    IssueChecksTtlFirst,
    RefreshWithoutCooldown,
    RevokeRaisesTokenExpired,
    RefreshSetsTtlBeforeCooldownCheck,
    MinTtlInWholeSeconds,
    RevokeClearsTtl,
]
