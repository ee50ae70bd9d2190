"""Bearer tokens and API keys."""
import time

import jwt
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from gateway.auth import Authenticator, create_api_key, hash_key, issue_token, read_token
from gateway.models import ApiKey, Base
from shared.errors import InvalidInput, NotAuthenticated

SECRET = "unit-test-secret-of-at-least-32-bytes"


def test_a_token_carries_principal_roles_and_scope():
    token = issue_token(SECRET, "alice", ["street_admin"], "350502001", 60)
    assert read_token(SECRET, token) == ("alice", ("street_admin",), "350502001")


def test_tokens_signed_elsewhere_expired_or_scopeless_are_refused():
    forged = issue_token("another-secret-also-32-bytes-long!!", "alice", ["street_admin"], "350502001", 60)
    with pytest.raises(NotAuthenticated):
        read_token(SECRET, forged)
    expired = jwt.encode({"sub": "a", "roles": ["auditor"], "scope": "350502",
                          "exp": int(time.time()) - 5}, SECRET, algorithm="HS256")
    with pytest.raises(NotAuthenticated, match="expired"):
        read_token(SECRET, expired)
    scopeless = jwt.encode({"sub": "a", "roles": ["auditor"], "scope": "everywhere",
                            "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    with pytest.raises(NotAuthenticated):
        read_token(SECRET, scopeless)


def test_tokens_are_only_issued_for_known_roles_and_real_scopes():
    with pytest.raises(InvalidInput):
        issue_token(SECRET, "a", ["mayor"], "350502", 60)
    with pytest.raises(InvalidInput):
        issue_token(SECRET, "a", ["auditor"], "3505", 60)


def test_api_keys_are_stored_hashed_and_found_by_their_hash():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        raw = create_api_key(session, "district system", "350502")
        session.commit()
        stored = session.scalar(select(ApiKey))
    assert raw.startswith("lk_") and len(raw) > 40
    assert stored.key_hash == hash_key(raw) and raw not in (stored.key_hash, stored.prefix)

    authenticator = Authenticator(SECRET, lambda: Session(engine))
    caller = authenticator.authenticate({"X-API-Key": raw}, "corr")
    assert (caller.roles, caller.scope) == (("integration",), "350502")
    with pytest.raises(NotAuthenticated):
        authenticator.authenticate({"X-API-Key": raw + "x"}, "corr")
    with pytest.raises(NotAuthenticated):
        authenticator.authenticate({}, "corr")
