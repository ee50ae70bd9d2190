"""Organisation use cases: load, apply the rules in ``domain.organisations``, store, emit.

Every organisation hangs on a territory node. A caller names a node by code: it is refused
before any lookup when outside their scope, then found (an old, merged-away code finds the node
it became) and checked again. A record looked up by id that lies outside the caller's scope is
"not found", so ids cannot be used to probe beside one's territory.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.membership.domain import organisations as rules
from services.membership.domain.territory import CHILD_LEVEL
from services.membership.models import TerritoryNode
from services.membership.models.organisations import (
    AreaUnit,
    CivilOrganisation,
    CoBuildingAgreement,
    CulturalTeam,
    PartyOrganisation,
)
from services.membership.schemas.organisations import (
    AgreementCreateSchema,
    AgreementListQuerySchema,
    AgreementSchema,
    AgreementStatusSchema,
    CivilOrgCreateSchema,
    CivilOrgListQuerySchema,
    CivilOrgSchema,
    CivilSummaryQuerySchema,
    CulturalTeamCreateSchema,
    CulturalTeamListQuerySchema,
    CulturalTeamSchema,
    CulturalTeamUpdateSchema,
    FilingChangeSchema,
    PartyChildrenQuerySchema,
    PartyOrgCreateSchema,
    PartyOrgDissolveSchema,
    PartyOrgListQuerySchema,
    PartyOrgRenameSchema,
    PartyOrgSchema,
    UnitAgreementsQuerySchema,
    UnitCreateSchema,
    UnitListQuerySchema,
    UnitSchema,
)
from services.membership.territory import find_node
from shared.context import require_caller, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.pagination import decode_cursor, page_of
from shared.personal_data import mask_phone
from shared.territory import refile_codes
from shared.validation import load

_party_schema = PartyOrgSchema()
_civil_schema = CivilOrgSchema()
_unit_schema = UnitSchema()
_agreement_schema = AgreementSchema()
_team_schema = CulturalTeamSchema()


def today() -> date:
    return datetime.now(timezone.utc).date()


# --- shared helpers ----------------------------------------------------------------------------

def _node(uow: UnitOfWork, code: str, field: str = "org_code") -> TerritoryNode:
    """The territory node named by ``code``, inside the caller's scope."""
    require_scope(uow.caller, code, field)
    node = find_node(uow, code, field)
    require_scope(uow.caller, node.code, field)
    return node


def _live_node(uow: UnitOfWork, code: str, levels: tuple[str, ...],
               field: str = "org_code") -> TerritoryNode:
    """A node an organisation may be placed on now: in scope, of the right level, not merged."""
    node = _node(uow, code, field)
    rules.check_node_level(node.level, levels, field)
    if node.status != "active":
        raise Conflict(f"{field}: {node.code} was merged into {node.merged_into}",
                       field=field)
    return node


def _prefix(uow: UnitOfWork, code: str | None) -> str:
    """The territory prefix a list covers: the given node's code, or the caller's scope."""
    if code:
        return _node(uow, code, "code").code
    scope = uow.caller.scope if uow.caller else None
    require_scope(uow.caller, scope or "", "code")
    return scope


def _get(uow: UnitOfWork, model, record_id, what: str, field: str = "id"):
    caller = require_caller(uow.caller)
    record_id = rules.parse_id(record_id, field)
    record = uow.session.get(model, record_id)
    if record is None or not caller.can_see(record.org_code):
        raise NotFound(f"{field}: no {what} {record_id} in your territory", field=field)
    return record


def _page(uow: UnitOfWork, query, model, args: dict, render) -> dict:
    after = decode_cursor(args["cursor"])
    if after is not None:
        if not isinstance(after, int):
            raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
        query = query.where(model.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(model.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row.id, render=render)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- party organisations -----------------------------------------------------------------------

def render_party(org: PartyOrganisation) -> dict:
    return _party_schema.dump(org)


def _as_rule_org(org: PartyOrganisation) -> rules.PartyOrg:
    return rules.PartyOrg(org.id, org.kind, org.org_code, org.status, org.founded_on)


def create_party_org(uow: UnitOfWork, payload: dict) -> dict:
    data = load(PartyOrgCreateSchema, payload)
    rules.require_party_editor(uow.caller)
    node = _live_node(uow, data["org_code"], rules.PARTY_NODE_LEVELS[data["kind"]])
    parent = None
    if data["parent_id"] is not None:
        parent = _as_rule_org(_get(uow, PartyOrganisation, data["parent_id"],
                                   "party organisation", "parent_id"))
    rules.check_party_placement(data["kind"], node.level, node.code, parent)
    rules.check_not_future(data["founded_on"], today(), "founded_on")
    name = data["name"].strip()
    if not name:
        raise InvalidInput("name: must not be blank", field="name")
    _refuse_duplicate_party_name(uow, name, node.code, None)
    org = PartyOrganisation(kind=data["kind"], name=name, org_code=node.code,
                            parent_id=parent.id if parent else None,
                            secretary_name=(data["secretary_name"] or "").strip() or None,
                            founded_on=data["founded_on"], status=rules.ACTIVE)
    uow.session.add(org)
    uow.session.flush()
    uow.emit("membership.party_organisation_created",
             {"id": org.id, "kind": org.kind, "name": org.name, "org_code": org.org_code,
              "parent_id": org.parent_id, "founded_on": _iso(org.founded_on)},
             org_code=org.org_code)
    return render_party(org)


def _refuse_duplicate_party_name(uow: UnitOfWork, name: str, org_code: str,
                                 own_id: int | None) -> None:
    query = select(PartyOrganisation.id).where(
        PartyOrganisation.org_code == org_code, PartyOrganisation.name == name,
        PartyOrganisation.status == rules.ACTIVE)
    if own_id is not None:
        query = query.where(PartyOrganisation.id != own_id)
    if uow.session.scalar(query) is not None:
        raise Conflict(f"name: an active party organisation at {org_code} is already "
                       f"called {name}", field="name")


def get_party_org(uow: UnitOfWork, org_id) -> dict:
    return render_party(_get(uow, PartyOrganisation, org_id, "party organisation"))


def rename_party_org(uow: UnitOfWork, org_id, payload: dict) -> dict:
    data = load(PartyOrgRenameSchema, payload)
    rules.require_party_editor(uow.caller)
    org = _get(uow, PartyOrganisation, org_id, "party organisation")
    rules.check_renamable(_as_rule_org(org))
    new_name = data["name"].strip()
    if not new_name:
        raise InvalidInput("name: must not be blank", field="name")
    if new_name != org.name:
        _refuse_duplicate_party_name(uow, new_name, org.org_code, org.id)
        old_name, org.name = org.name, new_name
        uow.session.flush()
        uow.emit("membership.party_organisation_renamed",
                 {"id": org.id, "kind": org.kind, "org_code": org.org_code,
                  "old_name": old_name, "new_name": new_name}, org_code=org.org_code)
    return render_party(org)


def dissolve_party_org(uow: UnitOfWork, org_id, payload: dict) -> dict:
    data = load(PartyOrgDissolveSchema, payload)
    rules.require_party_editor(uow.caller)
    org = _get(uow, PartyOrganisation, org_id, "party organisation")
    active_children = uow.session.scalar(
        select(func.count()).select_from(PartyOrganisation).where(
            PartyOrganisation.parent_id == org.id, PartyOrganisation.status == rules.ACTIVE))
    dissolved_on = data["dissolved_on"] or today()
    rules.check_dissolution(_as_rule_org(org), active_children, dissolved_on, today())
    reason = (data["reason"] or "").strip() or None
    org.status, org.dissolved_on, org.dissolved_reason = rules.DISSOLVED, dissolved_on, reason
    uow.session.flush()
    uow.emit("membership.party_organisation_dissolved",
             {"id": org.id, "kind": org.kind, "org_code": org.org_code,
              "dissolved_on": _iso(dissolved_on), "reason": reason}, org_code=org.org_code)
    return render_party(org)


def list_party_orgs(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(PartyOrgListQuerySchema, query_args)
    prefix = _prefix(uow, args["code"])
    query = select(PartyOrganisation).where(PartyOrganisation.org_code.startswith(prefix))
    if args["kind"]:
        query = query.where(PartyOrganisation.kind == args["kind"])
    if not args["include_dissolved"]:
        query = query.where(PartyOrganisation.status == rules.ACTIVE)
    return _page(uow, query, PartyOrganisation, args, render_party)


def list_party_children(uow: UnitOfWork, org_id, query_args: dict) -> dict:
    args = load(PartyChildrenQuerySchema, query_args)
    org = _get(uow, PartyOrganisation, org_id, "party organisation")
    # children sit within the parent's node, so the caller's scope filter only matters for a
    # caller who sees part of the parent's territory (a community worker under a street body)
    query = select(PartyOrganisation).where(
        PartyOrganisation.parent_id == org.id,
        PartyOrganisation.org_code.startswith(uow.caller.scope))
    if not args["include_dissolved"]:
        query = query.where(PartyOrganisation.status == rules.ACTIVE)
    return _page(uow, query, PartyOrganisation, args, render_party)


# --- civil organisations -----------------------------------------------------------------------

def render_civil(org: CivilOrganisation, masked: bool = False) -> dict:
    rendered = _civil_schema.dump(org)
    if masked:
        rendered["contact_phone"] = mask_phone(org.contact_phone)
    return rendered


def register_civil_org(uow: UnitOfWork, payload: dict) -> dict:
    data = load(CivilOrgCreateSchema, payload)
    rules.require_editor(uow.caller)
    node = _live_node(uow, data["org_code"], rules.CIVIL_NODE_LEVELS)
    name = data["name"].strip()
    contact = data["contact_name"].strip()
    if not name:
        raise InvalidInput("name: must not be blank", field="name")
    if not contact:
        raise InvalidInput("contact_name: must not be blank", field="contact_name")
    if uow.session.scalar(select(CivilOrganisation.id).where(
            CivilOrganisation.org_code == node.code, CivilOrganisation.name == name,
            CivilOrganisation.filing_status != rules.REVOKED)) is not None:
        raise Conflict(f"name: {node.code} already has a civil organisation called {name}",
                       field="name")
    org = CivilOrganisation(name=name, category=data["category"], org_code=node.code,
                            contact_name=contact, contact_phone=data["contact_phone"],
                            filing_status=rules.UNFILED)
    uow.session.add(org)
    uow.session.flush()
    uow.emit("membership.civil_organisation_registered",
             {"id": org.id, "name": org.name, "category": org.category,
              "org_code": org.org_code, "filing_status": org.filing_status},
             org_code=org.org_code)
    return render_civil(org)


def get_civil_org(uow: UnitOfWork, org_id) -> dict:
    """The whole record; the contact's phone unmasked only for those who keep the records."""
    org = _get(uow, CivilOrganisation, org_id, "civil organisation")
    return render_civil(org, masked=not uow.caller.has_role(*rules.EDITOR_ROLES))


def change_filing(uow: UnitOfWork, org_id, payload: dict) -> dict:
    data = load(FilingChangeSchema, payload)
    rules.require_editor(uow.caller)
    org = _get(uow, CivilOrganisation, org_id, "civil organisation")
    old = org.filing_status
    rules.check_filing_step(old, data["status"])
    number = reason = None
    if data["status"] == rules.FILED:
        for field in ("filed_on", "filing_number"):
            if not data[field] or not str(data[field]).strip():
                raise InvalidInput(f"{field}: required to file", field=field)
        on, number = data["filed_on"], data["filing_number"].strip()
        rules.check_not_future(on, today(), "filed_on")
        if uow.session.scalar(select(CivilOrganisation.id).where(
                CivilOrganisation.filing_number == number)) is not None:
            raise Conflict(f"filing_number: {number} is already in use", field="filing_number")
        org.filed_on, org.filing_number = on, number
    else:
        reason = (data["reason"] or "").strip()
        if not reason:
            raise InvalidInput("reason: required to revoke", field="reason")
        on = data["revoked_on"] or today()
        rules.check_not_future(on, today(), "revoked_on")
        if on < org.filed_on:
            raise InvalidInput(f"revoked_on: before the filing date {org.filed_on}",
                               field="revoked_on")
        org.revoked_on, org.revoked_reason = on, reason
        number = org.filing_number
    org.filing_status = data["status"]
    try:
        uow.session.flush()
    except IntegrityError:  # another request took the number since the check above
        raise Conflict(f"filing_number: {number} is already in use",
                       field="filing_number") from None
    uow.emit("membership.civil_organisation_filing_changed",
             {"id": org.id, "org_code": org.org_code, "old_status": old,
              "new_status": org.filing_status, "on": _iso(on), "filing_number": number,
              "reason": reason}, org_code=org.org_code)
    return render_civil(org)


def list_civil_orgs(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(CivilOrgListQuerySchema, query_args)
    prefix = _prefix(uow, args["code"])
    query = select(CivilOrganisation).where(CivilOrganisation.org_code.startswith(prefix))
    if args["status"]:
        query = query.where(CivilOrganisation.filing_status == args["status"])
    if args["category"]:
        query = query.where(CivilOrganisation.category == args["category"])
    return _page(uow, query, CivilOrganisation, args,
                 lambda org: render_civil(org, masked=True))


def _filing_counts(uow: UnitOfWork, prefix: str) -> dict:
    rows = uow.session.execute(
        select(CivilOrganisation.filing_status, func.count())
        .where(CivilOrganisation.org_code.startswith(prefix))
        .group_by(CivilOrganisation.filing_status)).all()
    counts = {status: 0 for status in rules.FILING_STATUSES}
    counts.update({status: number for status, number in rows})
    counts["total"] = sum(counts[status] for status in rules.FILING_STATUSES)
    return counts


def civil_summary(uow: UnitOfWork, query_args: dict) -> dict:
    """Counts per filing status at a node, per child area, and a district's target progress."""
    args = load(CivilSummaryQuerySchema, query_args)
    code = args["code"] or (uow.caller.scope if uow.caller else None)
    if not code:
        raise InvalidInput("code: name a district, street or community", field="code")
    node = _node(uow, code, "code")
    rules.check_node_level(node.level, ("district", "street", "community"), "code")
    counts = _filing_counts(uow, node.code)
    areas = []
    if node.level in ("district", "street"):
        children = uow.session.scalars(
            select(TerritoryNode).where(TerritoryNode.parent_code == node.code,
                                        TerritoryNode.level == CHILD_LEVEL[node.level],
                                        TerritoryNode.status == "active")
            .order_by(TerritoryNode.code))
        areas = [{"code": child.code, "name": child.name, "level": child.level,
                  "counts": _filing_counts(uow, child.code)} for child in children]
    target = None
    if node.level == "district":
        target = {"year": today().year, **rules.target_progress(counts["filed"])}
    return {"code": node.code, "name": node.name, "level": node.level, "counts": counts,
            "target": target, "areas": areas}


# --- units based in the area and co-building agreements ----------------------------------------

def render_unit(unit: AreaUnit) -> dict:
    return _unit_schema.dump(unit)


def render_agreement(agreement: CoBuildingAgreement, unit_name: str) -> dict:
    rendered = _agreement_schema.dump(agreement)
    rendered["unit_name"] = unit_name
    return rendered


def register_unit(uow: UnitOfWork, payload: dict) -> dict:
    data = load(UnitCreateSchema, payload)
    rules.require_editor(uow.caller)
    node = _live_node(uow, data["org_code"], rules.UNIT_NODE_LEVELS)
    name, address = data["name"].strip(), data["address"].strip()
    if not name:
        raise InvalidInput("name: must not be blank", field="name")
    if not address:
        raise InvalidInput("address: must not be blank", field="address")
    if uow.session.scalar(select(AreaUnit.id).where(
            AreaUnit.org_code == node.code, AreaUnit.name == name)) is not None:
        raise Conflict(f"name: {node.code} already has a unit called {name}", field="name")
    unit = AreaUnit(name=name, kind=data["kind"], address=address, org_code=node.code)
    uow.session.add(unit)
    uow.session.flush()
    uow.emit("membership.area_unit_registered",
             {"id": unit.id, "name": unit.name, "kind": unit.kind, "org_code": unit.org_code},
             org_code=unit.org_code)
    return render_unit(unit)


def get_unit(uow: UnitOfWork, unit_id) -> dict:
    return render_unit(_get(uow, AreaUnit, unit_id, "unit"))


def list_units(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(UnitListQuerySchema, query_args)
    prefix = _prefix(uow, args["code"])
    query = select(AreaUnit).where(AreaUnit.org_code.startswith(prefix))
    if args["kind"]:
        query = query.where(AreaUnit.kind == args["kind"])
    return _page(uow, query, AreaUnit, args, render_unit)


def sign_agreement(uow: UnitOfWork, unit_id, payload: dict) -> dict:
    data = load(AgreementCreateSchema, payload)
    rules.require_editor(uow.caller)
    unit = _get(uow, AreaUnit, unit_id, "unit")
    node = _live_node(uow, data["org_code"] or unit.org_code, rules.UNIT_NODE_LEVELS)
    rules.check_agreement_terms(data["signed_on"], data["term_end"], today())
    summary = data["summary"].strip()
    if not summary:
        raise InvalidInput("summary: must not be blank", field="summary")
    agreement = CoBuildingAgreement(unit_id=unit.id, org_code=node.code,
                                    signed_on=data["signed_on"], term_end=data["term_end"],
                                    summary=summary, status="active")
    uow.session.add(agreement)
    uow.session.flush()
    uow.emit("membership.co_building_agreement_signed",
             {"id": agreement.id, "unit_id": unit.id, "org_code": agreement.org_code,
              "signed_on": _iso(agreement.signed_on), "term_end": _iso(agreement.term_end)},
             org_code=agreement.org_code)
    return render_agreement(agreement, unit.name)


def end_agreement(uow: UnitOfWork, agreement_id, payload: dict) -> dict:
    data = load(AgreementStatusSchema, payload)
    rules.require_editor(uow.caller)
    agreement = _get(uow, CoBuildingAgreement, agreement_id, "co-building agreement")
    ended_on = data["ended_on"] or today()
    rules.check_agreement_end(agreement.status, data["status"], agreement.term_end, today())
    rules.check_not_future(ended_on, today(), "ended_on")
    if ended_on < agreement.signed_on:
        raise InvalidInput(f"ended_on: before the signing date {agreement.signed_on}",
                           field="ended_on")
    reason = (data["reason"] or "").strip() or None
    agreement.status, agreement.ended_on, agreement.end_reason = data["status"], ended_on, reason
    uow.session.flush()
    uow.emit("membership.co_building_agreement_ended",
             {"id": agreement.id, "unit_id": agreement.unit_id, "org_code": agreement.org_code,
              "status": agreement.status, "ended_on": _iso(ended_on), "reason": reason},
             org_code=agreement.org_code)
    unit_name = uow.session.scalar(select(AreaUnit.name).where(AreaUnit.id == agreement.unit_id))
    return render_agreement(agreement, unit_name)


def _agreement_page(uow: UnitOfWork, query, args: dict) -> dict:
    query = select(CoBuildingAgreement, AreaUnit.name).join(
        AreaUnit, AreaUnit.id == CoBuildingAgreement.unit_id).where(query)
    if args["status"]:
        query = query.where(CoBuildingAgreement.status == args["status"])
    after = decode_cursor(args["cursor"])
    if after is not None:
        if not isinstance(after, int):
            raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
        query = query.where(CoBuildingAgreement.id > after)
    limit = args["limit"]
    rows = list(uow.session.execute(query.order_by(CoBuildingAgreement.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row[0].id,
                   render=lambda row: render_agreement(row[0], row[1]))


def list_agreements(uow: UnitOfWork, query_args: dict) -> dict:
    """Agreements signed by the communities at or beneath ``code``."""
    args = load(AgreementListQuerySchema, query_args)
    prefix = _prefix(uow, args["code"])
    return _agreement_page(uow, CoBuildingAgreement.org_code.startswith(prefix), args)


def list_unit_agreements(uow: UnitOfWork, unit_id, query_args: dict) -> dict:
    args = load(UnitAgreementsQuerySchema, query_args)
    unit = _get(uow, AreaUnit, unit_id, "unit")
    return _agreement_page(uow, (CoBuildingAgreement.unit_id == unit.id)
                           & CoBuildingAgreement.org_code.startswith(uow.caller.scope), args)


# --- cultural teams ----------------------------------------------------------------------------

def render_team(team: CulturalTeam) -> dict:
    return _team_schema.dump(team)


def _refuse_duplicate_team(uow: UnitOfWork, name: str, org_code: str, own_id: int | None):
    query = select(CulturalTeam.id).where(CulturalTeam.org_code == org_code,
                                          CulturalTeam.name == name)
    if own_id is not None:
        query = query.where(CulturalTeam.id != own_id)
    if uow.session.scalar(query) is not None:
        raise Conflict(f"name: {org_code} already has a team called {name}", field="name")


def create_team(uow: UnitOfWork, payload: dict) -> dict:
    data = load(CulturalTeamCreateSchema, payload)
    rules.require_editor(uow.caller)
    node = _live_node(uow, data["org_code"], rules.TEAM_NODE_LEVELS)
    name, leader = data["name"].strip(), data["leader_name"].strip()
    if not name:
        raise InvalidInput("name: must not be blank", field="name")
    if not leader:
        raise InvalidInput("leader_name: must not be blank", field="leader_name")
    rules.check_not_future(data["founded_on"], today(), "founded_on")
    _refuse_duplicate_team(uow, name, node.code, None)
    team = CulturalTeam(name=name, kind=data["kind"], org_code=node.code, leader_name=leader,
                        member_count=data["member_count"], founded_on=data["founded_on"])
    uow.session.add(team)
    uow.session.flush()
    uow.emit("membership.cultural_team_created",
             {"id": team.id, "name": team.name, "kind": team.kind, "org_code": team.org_code,
              "member_count": team.member_count}, org_code=team.org_code)
    return render_team(team)


def get_team(uow: UnitOfWork, team_id) -> dict:
    return render_team(_get(uow, CulturalTeam, team_id, "cultural team"))


def update_team(uow: UnitOfWork, team_id, payload: dict) -> dict:
    data = load(CulturalTeamUpdateSchema, payload)
    rules.require_editor(uow.caller)
    if not data:
        raise InvalidInput("body: name, leader_name or member_count is required", field="body")
    team = _get(uow, CulturalTeam, team_id, "cultural team")
    changes = []
    for field in ("name", "leader_name", "member_count"):
        if field not in data:
            continue
        value = data[field].strip() if isinstance(data[field], str) else data[field]
        if value == "":
            raise InvalidInput(f"{field}: must not be blank", field=field)
        if field == "name" and value != team.name:
            _refuse_duplicate_team(uow, value, team.org_code, team.id)
        if getattr(team, field) != value:
            setattr(team, field, value)
            changes.append(field)
    if changes:
        uow.session.flush()
        uow.emit("membership.cultural_team_updated",
                 {"id": team.id, "org_code": team.org_code, "changes": changes,
                  "name": team.name, "member_count": team.member_count},
                 org_code=team.org_code)
    return render_team(team)


def list_teams(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(CulturalTeamListQuerySchema, query_args)
    prefix = _prefix(uow, args["code"])
    query = select(CulturalTeam).where(CulturalTeam.org_code.startswith(prefix))
    if args["kind"]:
        query = query.where(CulturalTeam.kind == args["kind"])
    return _page(uow, query, CulturalTeam, args, render_team)


# --- the territory changes beneath them ------------------------------------------------------

ORGANISATION_MODELS = (PartyOrganisation, CivilOrganisation, AreaUnit, CoBuildingAgreement,
                       CulturalTeam)


def follow_merge(uow: UnitOfWork, moves: list[dict]) -> dict:
    """Every organisation on a merged-away code follows it to the code it became."""
    return refile_codes(uow, [model.org_code for model in ORGANISATION_MODELS], moves)
