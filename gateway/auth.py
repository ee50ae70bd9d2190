"""Who is calling the gateway: signed bearer tokens for people, API keys for integrations.

Tokens are JWTs (HS256, the platform's secret key) carrying ``sub``, ``roles`` and ``scope``
(a territory code). API keys are random, shown once, and stored as their SHA-256 (they are
long random strings, so a fast hash is enough); a key's role is ``integration``.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time

import jwt
from sqlalchemy import select

from gateway.models import ApiKey
from shared.context import ROLES, CallerContext
from shared.errors import InvalidInput, NotAuthenticated

KEY_PREFIX = "lk_"
SCOPE_PATTERN = re.compile(r"^\d{6}(\d{3}){0,3}$")
CORRELATION_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def check_scope_code(scope: str) -> str:
    if not SCOPE_PATTERN.fullmatch(scope or ""):
        raise InvalidInput("scope: must be a territory code (6, 9, 12 or 15 digits)", field="scope")
    return scope


def issue_token(secret: str, principal: str, roles: list[str], scope: str,
                ttl_seconds: int) -> str:
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise InvalidInput(f"role: must be among {', '.join(ROLES)}", field="role")
    now = int(time.time())
    claims = {"sub": principal, "roles": list(roles), "scope": check_scope_code(scope),
              "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(secret: str, token: str) -> tuple[str, tuple[str, ...], str]:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"],
                            options={"require": ["sub", "exp", "roles", "scope"]})
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("the bearer token has expired") from None
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticated(f"the bearer token is not valid: {exc}") from None
    roles = tuple(role for role in claims["roles"] if role in ROLES)
    if not roles or not isinstance(claims["scope"], str) or not SCOPE_PATTERN.fullmatch(claims["scope"]):
        raise NotAuthenticated("the bearer token carries no usable roles or scope")
    return str(claims["sub"]), roles, claims["scope"]


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def create_api_key(session, name: str, scope: str) -> str:
    """Store a new integration key; returns the raw key (the only time it exists in clear)."""
    if not name.strip():
        raise InvalidInput("name: must not be blank", field="name")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name.strip(), prefix=raw[:10], key_hash=hash_key(raw),
                       scope=check_scope_code(scope), roles=["integration"]))
    session.flush()
    return raw


def find_api_key(session, raw_key: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw_key),
                                               ApiKey.revoked_at.is_(None)))


class Authenticator:
    """Turns request headers into a ``CallerContext`` (or refuses with 401).

    API keys are looked up on every request (one indexed read), so a revoked key stops at once.
    """

    def __init__(self, secret: str, session_factory):
        self.secret = secret
        self.session_factory = session_factory

    def _api_key_caller(self, raw_key: str) -> tuple[str, tuple[str, ...], str]:
        with self.session_factory() as session:
            key = find_api_key(session, raw_key)
            if key is None:
                raise NotAuthenticated("the API key is unknown or revoked")
            return f"apikey:{key.name}", tuple(key.roles), key.scope

    def authenticate(self, headers, correlation_id: str) -> CallerContext:
        authorization = headers.get("Authorization", "")
        api_key = headers.get("X-API-Key")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials:
            principal, roles, scope = read_token(self.secret, credentials.strip())
        elif api_key or (scheme.lower() == "apikey" and credentials):
            principal, roles, scope = self._api_key_caller((api_key or credentials).strip())
        else:
            raise NotAuthenticated(
                "send a bearer token (Authorization: Bearer …) or an API key (X-API-Key)")
        return CallerContext(principal, roles, scope, correlation_id)
