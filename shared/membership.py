"""What the other services ask membership over RPC, in one place (``membership`` is the
service's ``ServiceRpc("membership")``; the entrypoints ask, the use cases get plain dicts).

Membership answers for the caller who travels with the call, so whatever it does not show
them is, to the asking service, absent: a refusal naming the caller's own field. An unknown
grid or area is bad input (422); an unknown resident, volunteer or branch is a reference to
nothing (404).
"""
from __future__ import annotations

from shared.errors import Forbidden, InvalidInput, NotFound


def grid(membership, code: str, field: str = "grid_code") -> dict:
    try:
        return membership.territory_get_node(code)
    except (NotFound, Forbidden):
        raise InvalidInput(f"{field}: no grid has the code {code}", field=field) from None


def resident(membership, resident_id: int, field: str = "resident_id") -> dict:
    try:
        return membership.residents_get(resident_id)
    except (NotFound, Forbidden):
        raise NotFound(f"{field}: no resident {resident_id} in your scope", field=field) from None


def volunteer(membership, volunteer_id: int, field: str = "volunteer_id") -> dict:
    try:
        return membership.volunteers_get(volunteer_id)
    except (NotFound, Forbidden):
        raise NotFound(f"{field}: no volunteer {volunteer_id} in your scope",
                       field=field) from None


def party_org(membership, org_id: int, field: str = "branch_id") -> dict:
    try:
        return membership.organisations_get_party_org(org_id)
    except (NotFound, Forbidden):
        raise NotFound(f"{field}: no party organisation {org_id} in your scope",
                       field=field) from None


def area(membership, code: str, field: str = "org_code") -> dict:
    try:
        return membership.territory_get_node(code)
    except (NotFound, Forbidden):
        raise InvalidInput(f"{field}: no street or community has the code {code}",
                           field=field) from None


def active_party_members(membership, *, branch_id: int | None = None,
                         code: str | None = None) -> list[dict]:
    """Every active party member of a branch (or of the branches at or beneath a territory
    code), following membership's cursor; in id order."""
    query = {"status": "active", "limit": 200}
    query.update({"branch_id": branch_id} if branch_id is not None else {"code": code})
    members: list[dict] = []
    while True:
        page = membership.party_members_list(query)
        members += page["items"]
        if not page.get("next_cursor"):
            return members
        query["cursor"] = page["next_cursor"]


def party_memberships(membership, resident_id: int) -> list[dict]:
    """The resident's party-member records membership shows the caller (active or not)."""
    return membership.party_members_list({"resident_id": resident_id, "limit": 10})["items"]


def floating_residents(membership, code: str) -> list[dict]:
    """Every active floating resident (流动人口) at or beneath ``code`` that membership shows the
    caller, as {id, grid_code}, following membership's cursor (it offers no count)."""
    query = {"code": code, "residence": "floating", "limit": 200}
    found: list[dict] = []
    while True:
        page = membership.residents_list(query)
        found += [{"id": r["id"], "grid_code": r["grid_code"]} for r in page["items"]]
        if not page.get("next_cursor"):
            return found
        query["cursor"] = page["next_cursor"]


def communities_within(membership, code: str, field: str = "area") -> list[str]:
    """The codes of the communities at or beneath a territory code (an unknown code: 422)."""
    return codes_within(membership, code, "community", field)


def title_holder(membership, holder_kind: str, ref: str, field: str = "holder_ref") -> dict:
    """What membership shows the caller of a title's holder: a community's node (by code), or a
    household / resident / volunteer / party member (by id). Unknown or out of scope: 404."""
    if holder_kind == "community":
        return area(membership, ref, field)
    if holder_kind == "resident":
        return resident(membership, int(ref), field)
    if holder_kind == "volunteer":
        return volunteer(membership, int(ref), field)
    if holder_kind == "party_member":
        return party_member(membership, int(ref), field)
    try:
        return membership.households_get(int(ref))
    except (NotFound, Forbidden):
        raise NotFound(f"{field}: no household {ref} in your scope", field=field) from None


def party_member(membership, member_id: int, field: str = "party_member_id") -> dict:
    """The party member membership shows the caller (its branch, org_code, status)."""
    try:
        return membership.party_members_get(member_id)
    except (NotFound, Forbidden):
        raise NotFound(f"{field}: no party member {member_id} in your scope",
                       field=field) from None


def nodes_within(membership, code: str, level: str, field: str = "area") -> list[dict]:
    """The territory nodes of ``level`` (street, community, grid) at or beneath a code, each
    ``{"code", "name"}``, following membership's cursor (an unknown code: 422)."""
    node = area(membership, code, field)
    if node.get("level") == level:
        return [{"code": node["code"], "name": node.get("name")}]
    query, nodes = {"level": level, "limit": 200}, []
    while True:
        page = membership.territory_list_descendants(node["code"], query)
        nodes += [{"code": item["code"], "name": item.get("name")} for item in page["items"]]
        if not page.get("next_cursor"):
            return nodes
        query["cursor"] = page["next_cursor"]


def codes_within(membership, code: str, level: str, field: str = "area") -> list[str]:
    """The codes of ``nodes_within``."""
    return [node["code"] for node in nodes_within(membership, code, level, field)]
