"""Who is calling: principal, roles, territory scope and correlation id.

The gateway puts a caller in nameko's context data; nameko carries it on every RPC and event
(as ``nameko.*`` message headers) and each service reads it back with the ``Caller`` provider.
Services check scope themselves with ``require_scope``; the gateway is not the only guard.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from nameko.extensions import DependencyProvider

from shared.errors import Forbidden, NotAuthenticated, OutOfScope
from shared.logs import correlation_id_var

ROLES = (
    "district_admin",
    "street_admin",
    "community_worker",
    "grid_worker",
    "security_officer",
    "auditor",
    "integration",
)
SYSTEM_PRINCIPAL = "system"


def in_scope(scope: str | None, code: str) -> bool:
    """Territory codes are hierarchical prefixes: a street's code starts every code beneath it.

    A scope of ``""`` is the whole platform (operators' own tools only, never a token).
    """
    return scope is not None and code.startswith(scope)


@dataclass(frozen=True)
class CallerContext:
    principal: str
    roles: tuple[str, ...] = ()
    scope: str | None = None
    correlation_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def system(cls, correlation_id: str | None = None) -> "CallerContext":
        """The platform acting on its own (seeding, relays, event handlers without a person)."""
        return cls(SYSTEM_PRINCIPAL, ("system",), "", correlation_id or uuid.uuid4().hex)

    @classmethod
    def from_context_data(cls, data: dict) -> "CallerContext | None":
        principal = data.get("principal")
        if not principal:
            return None
        return cls(
            principal=principal,
            roles=tuple(data.get("roles") or ()),
            scope=data.get("scope"),
            correlation_id=data.get("correlation_id") or uuid.uuid4().hex,
        )

    def to_context_data(self) -> dict:
        return {
            "principal": self.principal,
            "roles": list(self.roles),
            "scope": self.scope,
            "correlation_id": self.correlation_id,
        }

    @property
    def actor(self) -> str:
        return self.principal

    def has_role(self, *roles: str) -> bool:
        return "system" in self.roles or any(role in self.roles for role in roles)

    def can_see(self, code: str) -> bool:
        return in_scope(self.scope, code)

    def lies_within(self, code: str) -> bool:
        """The caller's own scope is ``code`` or beneath it (a community worker lies within
        their street)."""
        return self.scope is not None and self.scope.startswith(code)


def require_caller(caller: CallerContext | None) -> CallerContext:
    """The caller a use case acts for; a call that carried none is refused."""
    if caller is None:
        raise NotAuthenticated("no caller identity travelled with this call")
    return caller


def require_scope(caller: CallerContext | None, code: str, field: str = "code") -> None:
    """Refuse anything outside the caller's part of the territory, naming the input at fault."""
    if not require_caller(caller).can_see(code):
        raise OutOfScope(f"{field}: {code} lies outside your scope {caller.scope}", field=field)


def require_community_filter(caller: CallerContext | None, community: str,
                             field: str = "community") -> None:
    """A community a list may be narrowed to: one within the caller's scope, or the community
    that holds the caller's own grid (a grid worker filtering on their community)."""
    caller = require_caller(caller)
    if not (caller.can_see(community) or caller.lies_within(community)):
        raise OutOfScope(f"{field}: {community} lies outside your scope {caller.scope}",
                         field=field)


def require_role(caller: CallerContext | None, *roles: str) -> None:
    if not require_caller(caller).has_role(*roles):
        raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")


class Caller(DependencyProvider):
    """Injects the ``CallerContext`` of the current worker (None when nobody is identified)."""

    def get_dependency(self, worker_ctx):
        return CallerContext.from_context_data(worker_ctx.context_data)

    def worker_setup(self, worker_ctx):
        correlation_id_var.set(worker_ctx.context_data.get("correlation_id"))
