"""Party member use cases: register, read, list, change branch/group/category, and the steps of
the development pipeline (rules in ``domain.party_members``), each change with its event.

A member belongs to a branch (and optionally one of its groups); the branch's territory node is
the member's ``org_code``, which scope and filters follow. A member outside the caller's scope is
answered exactly like one that does not exist (404). The resident's ID number leaves only masked.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from services.membership.domain import party_members as rules
from services.membership.models.organisations import PartyOrganisation
from services.membership.models.party_members import (
    PartyMember,
    PartyMemberRegistration,
    PartyMemberStep,
    PartyMemberTransfer,
    PartyMobileRecord,
    PartyPostClaim,
    PartyQuotaItem,
)
from services.membership.models.residents import Resident
from services.membership.schemas.party_members import (
    MobileSchema,
    PartyMemberCreateSchema,
    PartyMemberListQuerySchema,
    PartyMemberSchema,
    PartyMemberUpdateSchema,
    PostClaimCreateSchema,
    PostClaimListQuerySchema,
    PostClaimSchema,
    QuotaItemCreateSchema,
    QuotaQuerySchema,
    QuotaReportSchema,
    RegistrationSchema,
    StepSchema,
    TransferSchema,
)
from services.membership.territory import find_node
from shared.context import require_caller, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.pagination import decode_cursor, page_of
from shared.territory import refile_codes
from shared.validation import load

_member_schema = PartyMemberSchema()
_claim_schema = PostClaimSchema()
_quota_schema = QuotaReportSchema()
MAX_ID = 2 ** 31 - 1


def today() -> date:
    return datetime.now(timezone.utc).date()


def _parse_id(value, field: str = "id") -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise NotFound(f"{field}: no party member {str(value)[:20]!r} in your scope", field=field)
    return value


# --- reading ------------------------------------------------------------------------------

def _mobile_lines(uow: UnitOfWork, member_ids: list[int]) -> dict[int, dict]:
    """The mobile ledger lines of these members, with their contact's name."""
    if not member_ids:
        return {}
    contact = aliased(PartyMember)
    rows = uow.session.execute(
        select(PartyMobileRecord, Resident.name)
        .join(contact, contact.id == PartyMobileRecord.contact_id)
        .join(Resident, Resident.id == contact.resident_id)
        .where(PartyMobileRecord.member_id.in_(member_ids)))
    return {record.member_id: {"location": record.location,
                               "since": record.since.isoformat(),
                               "contact_id": record.contact_id, "contact_name": name}
            for record, name in rows}


def _render(member: PartyMember, resident: Resident, history: list | None = None,
            transfers: list | None = None,
            registration: PartyMemberRegistration | None = None,
            mobile: dict | None = None) -> dict:
    shown = {
        "id": member.id, "resident_id": member.resident_id, "name": resident.name,
        "id_number": resident.id_number_masked, "branch_id": member.branch_id,
        "group_id": member.group_id, "org_code": member.org_code, "category": member.category,
        "stage": member.stage, "stage_since": member.stage_since, "status": member.status,
        "observed_since": member.observed_since, "pending_to_code": member.pending_to_code,
        "mobile": mobile,
        "created_at": member.created_at, "updated_at": member.updated_at,
    }
    if history is not None:
        shown["history"] = [{"step": s.step, "from_stage": s.from_stage, "to_stage": s.to_stage,
                             "on": s.on, "note": s.note, "recorded_by": s.recorded_by}
                            for s in history]
    if transfers is not None:
        shown["transfers"] = [{"direction": t.direction, "on": t.on, "from_code": t.from_code,
                               "to_code": t.to_code, "place": t.place, "stage": t.stage,
                               "recorded_by": t.recorded_by} for t in transfers]
        shown["registration"] = None if registration is None else {
            "community_code": registration.community_code,
            "registered_on": registration.registered_on.isoformat(),
            "workplace": registration.workplace}
    return _member_schema.dump(shown)


def render_one(uow: UnitOfWork, member: PartyMember) -> dict:
    resident = uow.session.get(Resident, member.resident_id)
    history = list(uow.session.scalars(select(PartyMemberStep).where(
        PartyMemberStep.member_id == member.id).order_by(PartyMemberStep.id)))
    transfers = list(uow.session.scalars(select(PartyMemberTransfer).where(
        PartyMemberTransfer.member_id == member.id).order_by(PartyMemberTransfer.id)))
    registration = uow.session.scalar(select(PartyMemberRegistration).where(
        PartyMemberRegistration.member_id == member.id))
    return _render(member, resident, history, transfers, registration,
                   _mobile_lines(uow, [member.id]).get(member.id))


def find_member(uow: UnitOfWork, member_id, field: str = "id",
                for_update: bool = False, incoming: bool = False) -> PartyMember:
    """The member with this id in the caller's scope (``incoming``: or being transferred to a
    community in it)."""
    caller = require_caller(uow.caller)
    member_id = _parse_id(member_id, field)
    query = select(PartyMember).where(PartyMember.id == member_id)
    if for_update:
        query = query.with_for_update()
    member = uow.session.scalar(query)
    visible = member is not None and (caller.can_see(member.org_code) or (
        incoming and member.pending_to_code is not None
        and caller.can_see(member.pending_to_code)))
    if not visible:
        raise NotFound(f"{field}: no party member {member_id} in your scope", field=field)
    return member


def get_member(uow: UnitOfWork, member_id) -> dict:
    return render_one(uow, find_member(uow, member_id))


# --- branch and group ---------------------------------------------------------------------

def _party_org(uow: UnitOfWork, org_id: int, field: str, what: str) -> PartyOrganisation:
    org = uow.session.get(PartyOrganisation, org_id)
    if org is None or not require_caller(uow.caller).can_see(org.org_code):
        raise NotFound(f"{field}: no {what} {org_id} in your scope", field=field)
    return org


def _placement(uow: UnitOfWork, branch_id: int, group_id: int | None) -> PartyOrganisation:
    """The branch (checked) and the group (checked to be one of its groups)."""
    branch = _party_org(uow, branch_id, "branch_id", "branch")
    rules.check_branch(branch.kind, branch.status, branch.id)
    if group_id is not None:
        group = _party_org(uow, group_id, "group_id", "group")
        rules.check_group(group.kind, group.status, group.parent_id, group.id, branch.id)
    return branch


# --- registering and changing -------------------------------------------------------------

def register_member(uow: UnitOfWork, payload: dict) -> dict:
    data = load(PartyMemberCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    resident = uow.session.get(Resident, data["resident_id"])
    if resident is None or not caller.can_see(resident.grid_code):
        raise NotFound(f"resident_id: no resident {data['resident_id']} in your scope",
                       field="resident_id")
    if resident.status != "active":
        raise Conflict(f"resident_id: the resident is {resident.status}", field="resident_id")
    branch = _placement(uow, data["branch_id"], data["group_id"])
    rules.check_not_future(data["stage_since"], today(), "stage_since")
    if uow.session.scalar(select(PartyMember.id).where(
            PartyMember.resident_id == resident.id)) is not None:
        raise Conflict(f"resident_id: resident {resident.id} already has a party record",
                       field="resident_id")
    member = PartyMember(resident_id=resident.id, branch_id=branch.id, group_id=data["group_id"],
                         org_code=branch.org_code, category=data["category"],
                         stage=data["stage"], stage_since=data["stage_since"],
                         status=rules.ACTIVE, extended=0)
    uow.session.add(member)
    try:
        uow.session.flush()
    except IntegrityError:  # another request registered the resident since the check above
        raise Conflict(f"resident_id: resident {resident.id} already has a party record",
                       field="resident_id") from None
    uow.session.add(PartyMemberStep(member_id=member.id, step=rules.REGISTER, from_stage=None,
                                    to_stage=member.stage, on=member.stage_since,
                                    recorded_by=caller.principal))
    uow.session.flush()
    uow.emit("membership.party_member_registered",
             {"id": member.id, "resident_id": resident.id, "branch_id": member.branch_id,
              "group_id": member.group_id, "org_code": member.org_code,
              "category": member.category, "stage": member.stage,
              "stage_since": member.stage_since.isoformat()}, org_code=member.org_code)
    return render_one(uow, member)


def update_member(uow: UnitOfWork, member_id, payload: dict) -> dict:
    data = load(PartyMemberUpdateSchema, payload)
    rules.require_writer(require_caller(uow.caller))
    member = find_member(uow, member_id, for_update=True)
    if member.status == rules.TRANSFERRED_OUT:
        raise Conflict("status: the member was transferred out; the receiving community places "
                       "them", field="status")
    branch_id = data.get("branch_id", member.branch_id)
    if "group_id" in data:
        group_id = data["group_id"]
    else:
        group_id = member.group_id if branch_id == member.branch_id else None
    branch = _placement(uow, branch_id, group_id)
    changes = {}
    for field, value in (("branch_id", branch.id), ("group_id", group_id),
                         ("org_code", branch.org_code),
                         ("category", data.get("category", member.category))):
        if getattr(member, field) != value:
            changes[field] = value
            setattr(member, field, value)
    if changes:
        uow.session.flush()
        uow.emit("membership.party_member_updated",
                 {"id": member.id, "changes": sorted(changes), "branch_id": member.branch_id,
                  "group_id": member.group_id, "org_code": member.org_code,
                  "category": member.category}, org_code=member.org_code)
    return render_one(uow, member)


def take_step(uow: UnitOfWork, member_id, payload: dict) -> dict:
    """The next step of the pipeline or, at probationary, an outcome; dated and kept."""
    data = load(StepSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    member = find_member(uow, member_id, for_update=True)
    step = rules.next_step(member.stage, member.status, data["step"], member.extended > 0)
    on = data["on"] or today()
    last_on = uow.session.scalar(select(PartyMemberStep.on).where(
        PartyMemberStep.member_id == member.id).order_by(PartyMemberStep.id.desc()).limit(1))
    rules.check_step_date(on, last_on or member.stage_since, today())
    if step.step == rules.CONVERT:
        rules.check_observation(member.observed_since, on)
    note = (data["note"] or "").strip() or None
    if step.to_stage != member.stage:
        member.stage, member.stage_since = step.to_stage, on
    if step.step == rules.EXTEND:
        member.extended += 1
    member.status = step.status
    uow.session.add(PartyMemberStep(member_id=member.id, step=step.step,
                                    from_stage=step.from_stage, to_stage=step.to_stage, on=on,
                                    note=note, recorded_by=caller.principal))
    uow.session.flush()
    uow.emit("membership.party_member_stage_changed",
             {"id": member.id, "resident_id": member.resident_id, "org_code": member.org_code,
              "branch_id": member.branch_id, "step": step.step, "from_stage": step.from_stage,
              "to_stage": step.to_stage, "status": member.status, "on": on.isoformat()},
             org_code=member.org_code)
    return render_one(uow, member)


# --- transfers 组织关系转接 ---------------------------------------------------------------

def _last_date(uow: UnitOfWork, member: PartyMember) -> date:
    """The latest date on the member's record: a new step or transfer cannot predate it."""
    dates = [member.stage_since]
    for model in (PartyMemberStep, PartyMemberTransfer):
        last = uow.session.scalar(select(func.max(model.on)).where(model.member_id == member.id))
        if last is not None:
            dates.append(last)
    return max(dates)


def _receiving_community(uow: UnitOfWork, code: str) -> str:
    node = find_node(uow, code, "to_code")
    if node.level != "community":
        raise InvalidInput(f"to_code: {code} is a {node.level}, not a community", field="to_code")
    if node.status != "active":
        raise Conflict(f"to_code: {code} was merged into {node.merged_into}", field="to_code")
    return node.code


def transfer(uow: UnitOfWork, member_id, payload: dict) -> dict:
    data = load(TransferSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    if data["direction"] == rules.OUT:
        return _transfer_out(uow, caller, member_id, data)
    return _transfer_in(uow, caller, member_id, data)


def _transfer_out(uow: UnitOfWork, caller, member_id, data: dict) -> dict:
    member = find_member(uow, member_id, for_update=True)
    destination = (data["destination"] or "").strip() or None
    to_code = _receiving_community(uow, data["to_code"]) if data["to_code"] else None
    from_community = member.org_code[:12]
    rules.check_transfer_out(member.status, from_community, to_code, destination)
    on = data["on"] or today()
    rules.check_step_date(on, _last_date(uow, member), today())
    uow.session.add(PartyMemberTransfer(
        member_id=member.id, direction=rules.OUT, on=on, from_code=from_community,
        to_code=to_code, place=None if to_code else destination, stage=member.stage,
        recorded_by=caller.principal))
    member.status, member.pending_to_code = rules.TRANSFERRED_OUT, to_code
    uow.session.flush()
    uow.emit("membership.party_member_transferred_out",
             {"id": member.id, "resident_id": member.resident_id, "org_code": member.org_code,
              "from_code": from_community, "to_code": to_code,
              "destination": None if to_code else destination, "stage": member.stage,
              "on": on.isoformat()}, org_code=member.org_code)
    return render_one(uow, member)


def _transfer_in(uow: UnitOfWork, caller, member_id, data: dict) -> dict:
    member = find_member(uow, member_id, for_update=True, incoming=True)
    origin = (data["origin"] or "").strip() or None
    pending = member.pending_to_code if member.status == rules.TRANSFERRED_OUT else None
    branch = None
    if data["branch_id"] is not None:
        branch = _placement(uow, data["branch_id"], data["group_id"])
    elif data["group_id"] is not None:
        _placement(uow, member.branch_id, data["group_id"])
    rules.check_transfer_in(member.status, pending, origin, branch.org_code if branch else None)
    if pending is None and not caller.can_see(member.org_code):
        raise NotFound(f"id: no party member {member.id} in your scope", field="id")
    on = data["on"] or today()
    rules.check_step_date(on, _last_date(uow, member), today())
    from_code = member.org_code[:12] if pending else None
    uow.session.add(PartyMemberTransfer(
        member_id=member.id, direction=rules.IN, on=on, from_code=from_code,
        to_code=(branch.org_code if branch else member.org_code)[:12],
        place=None if pending else origin, stage=member.stage, recorded_by=caller.principal))
    if branch is not None:
        member.branch_id, member.group_id, member.org_code = (
            branch.id, data["group_id"], branch.org_code)
    elif data["group_id"] is not None:
        member.group_id = data["group_id"]
    member.status, member.pending_to_code, member.observed_since = rules.ACTIVE, None, on
    uow.session.flush()
    uow.emit("membership.party_member_transferred_in",
             {"id": member.id, "resident_id": member.resident_id, "org_code": member.org_code,
              "branch_id": member.branch_id, "from_code": from_code,
              "origin": None if pending else origin, "stage": member.stage,
              "on": on.isoformat()}, org_code=member.org_code)
    return render_one(uow, member)


# --- in-service members: registering 报到, posts 认岗, the yearly quota 四个一 ----------------

def register_with_community(uow: UnitOfWork, member_id, payload: dict) -> dict:
    """An in-service member registers 报到 with the community where they live (again, with
    another community, after a move)."""
    data = load(RegistrationSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    member = find_member(uow, member_id, for_update=True)
    require_scope(caller, data["community_code"], "community_code")
    node = find_node(uow, data["community_code"], "community_code")
    if node.level != "community" or node.status != "active":
        raise InvalidInput(f"community_code: {node.code} is not an active community",
                           field="community_code")
    current = uow.session.scalar(select(PartyMemberRegistration).where(
        PartyMemberRegistration.member_id == member.id))
    rules.check_registration(member.category, member.status,
                             current.community_code if current else None, node.code)
    on = data["registered_on"] or today()
    rules.check_not_future(on, today(), "registered_on")
    if current is not None and on < current.registered_on:
        raise InvalidInput(f"registered_on: before the last registration ({current.registered_on})",
                           field="registered_on")
    workplace = data["workplace"].strip()
    if not workplace:
        raise InvalidInput("workplace: must not be blank", field="workplace")
    if current is None:
        current = PartyMemberRegistration(member_id=member.id)
        uow.session.add(current)
    current.community_code, current.registered_on, current.workplace = node.code, on, workplace
    current.recorded_by = caller.principal
    uow.session.flush()
    uow.emit("membership.party_member_registered_with_community",
             {"id": member.id, "resident_id": member.resident_id, "org_code": member.org_code,
              "community_code": node.code, "registered_on": on.isoformat(),
              "workplace": workplace}, org_code=node.code)
    return render_one(uow, member)


def _claim_row(claim: PartyPostClaim, name: str) -> dict:
    return _claim_schema.dump({
        "id": claim.id, "member_id": claim.member_id, "name": name,
        "community_code": claim.community_code, "post": claim.post, "year": claim.year,
        "claimed_on": claim.claimed_on, "recorded_by": claim.recorded_by,
        "created_at": claim.created_at})


def claim_post(uow: UnitOfWork, member_id, payload: dict) -> dict:
    data = load(PostClaimCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    member = find_member(uow, member_id, for_update=True)
    on = data["claimed_on"] or today()
    rules.check_not_future(on, today(), "claimed_on")
    year = data["year"] or on.year
    registration = uow.session.scalar(select(PartyMemberRegistration).where(
        PartyMemberRegistration.member_id == member.id))
    claimed = uow.session.scalar(select(PartyPostClaim.post).where(
        PartyPostClaim.member_id == member.id, PartyPostClaim.year == year))
    rules.check_claim(registration.community_code if registration else None, claimed, year,
                      member.status)
    claim = PartyPostClaim(member_id=member.id, community_code=registration.community_code,
                           post=data["post"], year=year, claimed_on=on,
                           recorded_by=caller.principal)
    uow.session.add(claim)
    try:
        uow.session.flush()
    except IntegrityError:  # a claim for the year was recorded since the check above
        raise Conflict(f"post: the member already claimed a post for {year}",
                       field="post") from None
    uow.emit("membership.party_member_post_claimed",
             {"id": claim.id, "member_id": member.id, "resident_id": member.resident_id,
              "community_code": claim.community_code, "post": claim.post, "year": year,
              "claimed_on": on.isoformat()}, org_code=claim.community_code)
    name = uow.session.scalar(select(Resident.name).where(Resident.id == member.resident_id))
    return _claim_row(claim, name)


def list_post_claims(uow: UnitOfWork, query_args: dict) -> dict:
    """Claims made in the communities at or beneath ``code`` (the residential community's
    view: it sees the members who registered with it)."""
    args = load(PostClaimListQuerySchema, query_args)
    prefix = _prefix(uow, args["code"])
    query = (select(PartyPostClaim, Resident.name)
             .join(PartyMember, PartyMember.id == PartyPostClaim.member_id)
             .join(Resident, Resident.id == PartyMember.resident_id)
             .where(PartyPostClaim.community_code.startswith(prefix)))
    for field in ("post", "year"):
        if args[field] is not None:
            query = query.where(getattr(PartyPostClaim, field) == args[field])
    after = decode_cursor(args["cursor"])
    if after is not None:
        if type(after) is not int or not 0 <= after <= MAX_ID:
            raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
        query = query.where(PartyPostClaim.id > after)
    limit = args["limit"]
    rows = list(uow.session.execute(query.order_by(PartyPostClaim.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row[0].id,
                   render=lambda row: _claim_row(row[0], row[1]))


def _quota(uow: UnitOfWork, member: PartyMember, year: int) -> dict:
    items = list(uow.session.scalars(select(PartyQuotaItem).where(
        PartyQuotaItem.member_id == member.id, PartyQuotaItem.year == year)
        .order_by(PartyQuotaItem.on, PartyQuotaItem.id)))
    done: dict[str, int] = {}
    for item in items:
        done[item.kind] = done.get(item.kind, 0) + 1
    return _quota_schema.dump({
        "member_id": member.id, "year": year,
        "items": [{"id": i.id, "kind": i.kind, "on": i.on, "text": i.text,
                   "recorded_by": i.recorded_by} for i in items],
        **rules.quota_report(done)})


def quota_report(uow: UnitOfWork, member_id, query_args: dict) -> dict:
    args = load(QuotaQuerySchema, query_args)
    member = find_member(uow, member_id)
    return _quota(uow, member, args["year"] or today().year)


def record_quota_item(uow: UnitOfWork, member_id, payload: dict) -> dict:
    """One record toward the yearly "four ones"; answers the year's report."""
    data = load(QuotaItemCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    member = find_member(uow, member_id, for_update=True)
    if member.status != rules.ACTIVE:
        raise Conflict(f"status: a member who is {member.status} records no quota",
                       field="status")
    on = data["on"] or today()
    rules.check_not_future(on, today(), "on")
    text = data["text"].strip()
    if not text:
        raise InvalidInput("text: must not be blank", field="text")
    item = PartyQuotaItem(member_id=member.id, year=on.year, kind=data["kind"], on=on, text=text,
                          recorded_by=caller.principal)
    uow.session.add(item)
    uow.session.flush()
    uow.emit("membership.party_member_quota_recorded",
             {"id": item.id, "member_id": member.id, "org_code": member.org_code,
              "kind": item.kind, "year": item.year, "on": on.isoformat()},
             org_code=member.org_code)
    return _quota(uow, member, on.year)


# --- mobile members 流动党员 -----------------------------------------------------------------

def record_mobile(uow: UnitOfWork, member_id, payload: dict) -> dict:
    """Where a mobile member is, since when, and their one-to-one contact (replacing the last
    line of the ledger)."""
    data = load(MobileSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    member = find_member(uow, member_id, for_update=True)
    rules.check_mobile(member.category, member.status)
    rules.check_not_future(data["since"], today(), "since")
    location = data["location"].strip()
    if not location:
        raise InvalidInput("location: must not be blank", field="location")
    contact = uow.session.get(PartyMember, data["contact_id"])
    if contact is None or not caller.can_see(contact.org_code):
        raise NotFound(f"contact_id: no party member {data['contact_id']} in your scope",
                       field="contact_id")
    contact_of = uow.session.scalar(select(PartyMobileRecord.member_id).where(
        PartyMobileRecord.contact_id == contact.id))
    rules.check_contact(member.id, member.org_code[:12], contact.id, contact.org_code[:12],
                        contact.status, contact.category, contact_of)
    record = uow.session.scalar(select(PartyMobileRecord).where(
        PartyMobileRecord.member_id == member.id))
    if record is None:
        record = PartyMobileRecord(member_id=member.id)
        uow.session.add(record)
    record.location, record.since, record.contact_id = location, data["since"], contact.id
    record.recorded_by = caller.principal
    try:
        uow.session.flush()
    except IntegrityError:  # the contact was given to another member since the check above
        raise Conflict(f"contact_id: {contact.id} is already the contact of another member",
                       field="contact_id") from None
    uow.emit("membership.party_member_mobile_recorded",
             {"id": member.id, "org_code": member.org_code, "location": location,
              "since": data["since"].isoformat(), "contact_id": contact.id},
             org_code=member.org_code)
    return render_one(uow, member)


# --- lists --------------------------------------------------------------------------------

def _prefix(uow: UnitOfWork, code: str | None) -> str:
    caller = require_caller(uow.caller)
    if code:
        require_scope(caller, code, "code")
        node = find_node(uow, code, "code")
        require_scope(caller, node.code, "code")
        return node.code
    require_scope(caller, caller.scope or "", "code")
    return caller.scope


def list_members(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(PartyMemberListQuerySchema, query_args)
    prefix = _prefix(uow, args["code"])
    column = PartyMember.pending_to_code if args["incoming"] else PartyMember.org_code
    query = (select(PartyMember, Resident).join(Resident, Resident.id == PartyMember.resident_id)
             .where(column.startswith(prefix)))
    for field in ("resident_id", "branch_id", "group_id", "stage", "category", "status"):
        if args[field] is not None:
            query = query.where(getattr(PartyMember, field) == args[field])
    after = decode_cursor(args["cursor"])
    if after is not None:
        if type(after) is not int or not 0 <= after <= MAX_ID:
            raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
        query = query.where(PartyMember.id > after)
    limit = args["limit"]
    rows = list(uow.session.execute(query.order_by(PartyMember.id).limit(limit + 1)))
    mobile = _mobile_lines(uow, [row[0].id for row in rows[:limit]])
    return page_of(rows, limit, key=lambda row: row[0].id,
                   render=lambda row: _render(row[0], row[1], mobile=mobile.get(row[0].id)))


# --- the territory changes beneath them ---------------------------------------------------

def follow_merge(uow: UnitOfWork, moves: list[dict]) -> dict:
    """Members of branches on a merged-away code follow it to the code it became."""
    return refile_codes(uow, [PartyMember.org_code], moves)
