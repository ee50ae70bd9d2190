"""Caller context, scope checks and problem documents."""
import pytest
from marshmallow import Schema, ValidationError, fields
from nameko.exceptions import deserialize, serialize

from shared.context import CallerContext, in_scope, require_scope
from shared.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    OutOfScope,
    invalid_from_marshmallow,
)


def test_scope_is_a_prefix_of_every_code_beneath_it():
    assert in_scope("350502001", "350502001001003")
    assert in_scope("350502001", "350502001")
    assert not in_scope("350502001", "350502002001")
    assert not in_scope("350502001", "350502")  # the district above is not the street's
    assert in_scope("", "350502")  # the platform itself
    assert not in_scope(None, "350502")


def test_the_caller_survives_the_trip_through_context_data():
    caller = CallerContext("alice", ("street_admin", "auditor"), "350502001", "corr-1")
    assert CallerContext.from_context_data(caller.to_context_data()) == caller
    assert CallerContext.from_context_data({}) is None


def test_require_scope_refuses_outside_and_anonymous():
    caller = CallerContext("alice", ("street_admin",), "350502001")
    require_scope(caller, "350502001001")
    with pytest.raises(OutOfScope) as refused:
        require_scope(caller, "350502002")
    assert refused.value.status == 403
    with pytest.raises(NotAuthenticated):
        require_scope(None, "350502001")


@pytest.mark.parametrize("error", [
    InvalidInput("name: too long", field="name"),
    OutOfScope("code: outside", field="code"),
    Conflict("code: taken", field="code", errors={"code": ["taken"]}),
])
def test_domain_errors_cross_rpc_as_themselves(error):
    again = deserialize(serialize(error))
    assert type(again) is type(error)
    assert (again.detail, again.field, again.errors) == (error.detail, error.field, error.errors)


def test_a_problem_document_names_the_field():
    problem = InvalidInput("name: must not be blank", field="name").to_problem("/x")
    assert problem == {
        "type": "https://linli.example/problems/invalid-input", "title": "Invalid input",
        "status": 422, "detail": "name: must not be blank", "field": "name", "instance": "/x"}


def test_marshmallow_messages_become_one_error_naming_the_first_field():
    class Inner(Schema):
        code = fields.String(required=True)

    class Outer(Schema):
        inner = fields.Nested(Inner, required=True)

    with pytest.raises(ValidationError) as failed:
        Outer().load({"inner": {}})
    error = invalid_from_marshmallow(failed.value.messages)
    assert error.field == "inner.code"
    assert "required" in error.detail.lower()


def test_a_nul_character_anywhere_in_input_is_refused_naming_the_field():
    from shared.validation import load

    class Named(Schema):
        name = fields.String(required=True)

    with pytest.raises(InvalidInput) as refused:
        load(Named, {"name": "西关\x00社区"})
    assert refused.value.field == "name"


def test_a_uniqueness_race_lost_inside_a_use_case_reaches_the_caller_as_a_conflict():
    import sys

    from sqlalchemy.exc import IntegrityError

    from shared.entrypoints import _as_conflict

    try:
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))
    except IntegrityError:
        converted = _as_conflict(sys.exc_info())
    assert isinstance(converted[1], Conflict) and converted[1].status == 409
    assert _as_conflict(None) is None
