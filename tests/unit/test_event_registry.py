"""Event contracts: the envelope, schemas checked at the producer, the catalogue kept true."""
import uuid
from pathlib import Path

import pytest

import shared.events  # noqa: F401  (registers every event type)
from shared.events.registry import InvalidEvent, catalogue_markdown, make_envelope, read_envelope

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_an_envelope_carries_everything_a_consumer_needs():
    envelope = make_envelope("membership.territory_node_created",
                             {"code": "350502001", "name": "江南街道", "level": "street",
                              "parent_code": "350502"}, "350502001", "alice")
    assert set(envelope) == {"event_id", "type", "version", "occurred_at", "org_code", "actor",
                             "data"}
    uuid.UUID(envelope["event_id"])
    assert envelope["occurred_at"].endswith("+00:00")
    assert read_envelope(envelope) is envelope


@pytest.mark.parametrize("data", [
    {"code": "350502001", "name": "江南街道", "level": "village", "parent_code": "350502"},
    {"code": "x", "name": "江南街道", "level": "street"},
    {"name": "江南街道", "level": "street"},
    {"code": "350502001", "name": "江南街道", "level": "street", "surprise": 1},
])
def test_a_producer_cannot_emit_a_payload_that_breaks_its_schema(data):
    with pytest.raises(InvalidEvent):
        make_envelope("membership.territory_node_created", data, "350502001", "alice")


def test_an_unknown_event_type_is_refused():
    with pytest.raises(InvalidEvent):
        make_envelope("membership.something_else", {}, "350502", "alice")


def test_a_consumer_refuses_a_broken_envelope():
    with pytest.raises(InvalidEvent):
        read_envelope({"type": "membership.territory_node_created"})
    with pytest.raises(InvalidEvent):
        read_envelope(["not", "an", "object"])


def test_the_event_catalogue_in_docs_is_the_one_the_code_generates():
    from linli.runner import service_class
    from shared.config import SERVICE_NAMES

    for name in SERVICE_NAMES:  # their handlers name the consumers
        service_class(name)
    assert DOCS.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/events.md is stale: run `.venv/bin/linli events catalogue > docs/events.md`")
