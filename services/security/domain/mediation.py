"""Mediation 人民调解: the rules, plain Python, no I/O.

A case is opened by hand (a worker at the community's mediation committee) or from a dispute
ticket (``tickets.dispute_reported``, once per ticket). It has parties (applicant / respondent),
a dispute type (family, marriage, neighbour, property) and a mediator; mediation sessions are
recorded while it is open; the outcome (agreement, failed, referred to court) closes it for good.
"""
from __future__ import annotations

from datetime import date

from services.security.domain.catalogue import DISPUTE_TYPES, MEDIATION_OUTCOMES, PARTY_ROLES
from shared.errors import Conflict, InvalidInput

OPEN, CLOSED = "open", "closed"
STATUSES = (OPEN, CLOSED)
AGREEMENT = "agreement"
DEFAULT_DISPUTE_TYPE = "neighbour"

# a ticket's ``dispute_kind`` answer (see the neighbour_dispute category) → the dispute type
TICKET_DISPUTE_KINDS = {"family": "family", "marriage": "marriage", "divorce": "marriage",
                        "property": "property", "inheritance": "property", "noise": "neighbour",
                        "leak": "neighbour", "space": "neighbour", "other": "neighbour"}


def community_of(grid_code: str) -> str:
    return grid_code[:12]


def place(community_code: str | None, grid_code: str | None) -> tuple[str, str | None]:
    """(community, grid) of a case: a grid gives its community; both given must agree."""
    if grid_code:
        if community_code and community_of(grid_code) != community_code:
            raise InvalidInput(f"grid_code: {grid_code} is not a grid of community "
                               f"{community_code}", field="grid_code")
        return community_of(grid_code), grid_code
    if not community_code:
        raise InvalidInput("community_code: give the community (or grid_code)",
                           field="community_code")
    return community_code, None


def check_parties(parties: list[dict]) -> None:
    """A dispute by hand has at least an applicant and a respondent; a person is not named twice."""
    roles = {party["role"] for party in parties}
    for role in PARTY_ROLES:
        if role not in roles:
            raise InvalidInput(f"parties: a mediation needs at least one {role}", field="parties")
    seen: set[tuple] = set()
    for index, party in enumerate(parties):
        key = ("resident", party["resident_id"]) if party.get("resident_id") else \
            ("name", party["name"], party["role"])
        if key in seen:
            raise InvalidInput(f"parties.{index}: the same party is given twice",
                               field=f"parties.{index}")
        seen.add(key)


def dispute_type_of_ticket(category_code: str, attributes: dict | None) -> str:
    """The dispute type a dispute ticket asks for: its ``dispute_type`` answer if it is one,
    else its ``dispute_kind`` answer mapped, else a hint in the category's code, else
    neighbour (the dispute category is 邻里纠纷)."""
    attributes = attributes or {}
    given = attributes.get("dispute_type")
    if isinstance(given, str) and given in DISPUTE_TYPES:
        return given
    kind = attributes.get("dispute_kind")
    if isinstance(kind, str) and kind in TICKET_DISPUTE_KINDS:
        return TICKET_DISPUTE_KINDS[kind]
    for dispute_type in DISPUTE_TYPES:
        if dispute_type in (category_code or ""):
            return dispute_type
    return DEFAULT_DISPUTE_TYPE


def check_open(status: str) -> None:
    if status != OPEN:
        raise Conflict("status: the mediation case is closed", field="status")


def check_session_day(held_on: date, opened_on: date, today: date) -> None:
    if held_on > today:
        raise InvalidInput(f"held_on: {held_on} is in the future", field="held_on")
    if held_on < opened_on:
        raise InvalidInput(f"held_on: {held_on} is before the case was opened ({opened_on})",
                           field="held_on")


def check_outcome(outcome: str, agreement_text: str | None, closed_on: date, opened_on: date,
                  last_session_on: date | None, today: date) -> str | None:
    """The agreement text to keep (only with an agreement, where it is required)."""
    if outcome not in MEDIATION_OUTCOMES:
        raise InvalidInput(f"outcome: one of {', '.join(MEDIATION_OUTCOMES)}", field="outcome")
    text = clean_text(agreement_text)
    if outcome == AGREEMENT and text is None:
        raise InvalidInput("agreement_text: an agreement records what the parties agreed",
                           field="agreement_text")
    if outcome != AGREEMENT and text is not None:
        raise InvalidInput(f"agreement_text: only an agreement has one, not {outcome}",
                           field="agreement_text")
    if closed_on > today:
        raise InvalidInput(f"closed_on: {closed_on} is in the future", field="closed_on")
    earliest = max(opened_on, last_session_on) if last_session_on else opened_on
    if closed_on < earliest:
        raise InvalidInput(f"closed_on: {closed_on} is before {earliest} (the case's opening or "
                           "its last session)", field="closed_on")
    return text


def clean_text(value: str | None) -> str | None:
    cleaned = value.strip() if value else ""
    return cleaned or None
