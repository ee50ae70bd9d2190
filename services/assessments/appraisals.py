"""Appraisal use cases: the democratic appraisal of party members 民主评议党员 (open a round for a
branch and a year, start voting, cast ballots, count, override a band), the "five goods" 五个好
branch rating, and commitment cards 承诺卡 through their stages.

Load, check the role (``catalogue.APPRAISAL_ROLES`` write, anyone reads), find the row in the
caller's scope (its branch's ``org_code``; out of scope is 404 like missing), apply the rules of
``domain.appraisals``, store, emit ``assessments.*`` (ids, codes, bands; never a name).
Membership is asked by the entrypoints (the branch, its active members, a party member); the use
cases get plain dicts. "Today" is the UTC date unless a caller (a test, the demo) says otherwise.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.assessments.domain import appraisals as rules
from services.assessments.domain.catalogue import APPRAISAL_ROLES
from services.assessments.models.appraisals import (
    AppraisalBallot,
    AppraisalResult,
    AppraisalRound,
    BranchRating,
    CommitmentCard,
    CommitmentRating,
)
from services.assessments.schemas.appraisals import (
    AppraisalCreateSchema,
    AppraisalListQuerySchema,
    AppraisalResultSchema,
    AppraisalSchema,
    BallotCreateSchema,
    BallotSchema,
    BranchRatingCreateSchema,
    BranchRatingListQuerySchema,
    BranchRatingReviseSchema,
    BranchRatingSchema,
    CardAssessSchema,
    CardPublishSchema,
    CardRatingSchema,
    CommitmentCardCreateSchema,
    CommitmentCardListQuerySchema,
    CommitmentCardSchema,
    OverrideSchema,
    ResultListQuerySchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id, is_row_id, lock_row
from shared.pagination import after_id, page_of
from shared.validation import load

_round_schema = AppraisalSchema()
_ballot_schema = BallotSchema()
_result_schema = AppraisalResultSchema()
_rating_schema = BranchRatingSchema()
_card_schema = CommitmentCardSchema()
BRANCH_KIND = "branch"


def _today(today: date | None) -> date:
    return today or utcnow().date()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


def _writer(uow: UnitOfWork):
    caller = require_caller(uow.caller)
    require_role(caller, *APPRAISAL_ROLES)
    return caller


def _branch(caller, branch: dict) -> dict:
    """Membership's node for ``branch_id``: a live branch 党支部 in the caller's scope."""
    if branch.get("kind") != BRANCH_KIND:
        raise InvalidInput(f"branch_id: {branch.get('id')} is a {branch.get('kind')}, not a "
                           "branch 党支部", field="branch_id")
    if branch.get("status") != "active":
        raise InvalidInput(f"branch_id: branch {branch.get('id')} is {branch.get('status')}",
                           field="branch_id")
    require_scope(caller, branch.get("org_code") or "", "branch_id")
    return branch


def _page(uow: UnitOfWork, model, args: dict, filters: list, render) -> dict:
    """A page of ``model`` rows in the caller's scope (narrowed to ``args['code']`` if given),
    in id order after the cursor."""
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(model).where(model.org_code.startswith(caller.scope), *filters)
    if args.get("code"):
        require_scope(caller, args["code"], "code")
        query = query.where(model.org_code.startswith(args["code"]))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(model.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(model.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row.id, render=render)


def _equal_filters(model, args: dict, names: tuple[str, ...]) -> list:
    return [getattr(model, name) == args[name] for name in names if args.get(name) is not None]


# --- democratic appraisal: rounds ---------------------------------------------------------------

def _band_counts(uow: UnitOfWork, round_id: int) -> dict[str, int]:
    counts = dict.fromkeys(rules.RATINGS, 0)
    counts.update(uow.session.execute(
        select(AppraisalResult.band, func.count()).where(AppraisalResult.round_id == round_id)
        .group_by(AppraisalResult.band)).all())
    return counts


def render_round(uow: UnitOfWork, appraisal: AppraisalRound, with_bands: bool = True) -> dict:
    counted = appraisal.status == rules.COUNTED
    return _round_schema.dump({
        "id": appraisal.id, "branch_id": appraisal.branch_id, "org_code": appraisal.org_code,
        "year": appraisal.year, "status": appraisal.status, "member_ids": appraisal.member_ids,
        "ballots": appraisal.ballots,
        "excellent_cap": rules.excellent_cap(len(appraisal.member_ids)),
        "bands": _band_counts(uow, appraisal.id) if counted and with_bands else None,
        "voting_on": appraisal.voting_on, "counted_on": appraisal.counted_on,
        "created_by": appraisal.created_by, "created_at": appraisal.created_at,
        "updated_at": appraisal.updated_at})


def check_open(uow: UnitOfWork, payload: dict) -> dict:
    """The round to open, loaded, from a caller who may; refused before membership is asked."""
    data = load(AppraisalCreateSchema, payload)
    _writer(uow)
    return data


def open_round(uow: UnitOfWork, payload: dict, branch: dict, members: list[dict]) -> dict:
    """Open a branch's appraisal for a year, its roll the branch's active ``members`` (dicts
    with ``id``) as membership gave them; one round per branch and year (409)."""
    data = check_open(uow, payload)
    caller = require_caller(uow.caller)
    branch = _branch(caller, branch)
    roll = sorted({member["id"] for member in members})
    if not roll:
        raise InvalidInput(f"branch_id: branch {branch['id']} has no active members to appraise",
                           field="branch_id")
    taken = uow.session.scalar(select(AppraisalRound.id).where(
        AppraisalRound.branch_id == branch["id"], AppraisalRound.year == data["year"]))
    if taken is not None:
        raise Conflict(f"year: branch {branch['id']} already has the {data['year']} appraisal "
                       f"({taken})", field="year")
    appraisal = AppraisalRound(branch_id=branch["id"], org_code=branch["org_code"],
                               year=data["year"], status=rules.OPEN, member_ids=roll, ballots=0,
                               lock_version=0, created_by=_actor(uow))
    uow.session.add(appraisal)
    uow.session.flush()
    return render_round(uow, appraisal)


def _visible_round(uow: UnitOfWork, round_id) -> AppraisalRound:
    require_caller(uow.caller)
    return find_by_id(uow, AppraisalRound, round_id, code_column=AppraisalRound.org_code,
                      what="appraisal")


def get_round(uow: UnitOfWork, round_id) -> dict:
    return render_round(uow, _visible_round(uow, round_id))


def list_rounds(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(AppraisalListQuerySchema, query_args)
    filters = _equal_filters(AppraisalRound, args, ("branch_id", "year", "status"))
    return _page(uow, AppraisalRound, args, filters,
                 lambda row: render_round(uow, row, with_bands=False))


def start_voting(uow: UnitOfWork, round_id, today: date | None = None) -> dict:
    _writer(uow)
    appraisal = _visible_round(uow, round_id)
    lock_row(uow, appraisal)
    rules.check_round_step(appraisal.status, rules.VOTING)
    appraisal.status, appraisal.voting_on = rules.VOTING, _today(today)
    uow.session.flush()
    return render_round(uow, appraisal)


def _ratings(appraisal: AppraisalRound, ratings: dict[str, str]) -> dict[str, str]:
    roll = set(appraisal.member_ids)
    for key in ratings:
        if not (key.isascii() and key.isdigit() and len(key) <= 10 and int(key) in roll):
            raise InvalidInput(f"ratings.{key[:20]}: not a member on this round's roll",
                               field=f"ratings.{key[:20]}")
    return {str(int(key)): rating for key, rating in ratings.items()}


def cast_ballot(uow: UnitOfWork, round_id, payload: dict) -> dict:
    """One voter's ballot while the round is voting. A member votes as themselves (their id on
    the roll); a second ballot from the same voter is 409 (ballots are final, not replaced)."""
    data = load(BallotCreateSchema, payload)
    _writer(uow)
    appraisal = _visible_round(uow, round_id)
    voter_ref = data["voter_ref"]
    if data["voter_kind"] == "member" and not (
            voter_ref.isdigit() and len(voter_ref) <= 10
            and int(voter_ref) in set(appraisal.member_ids)):
        raise InvalidInput(f"voter_ref: {voter_ref} is not a member on this round's roll",
                           field="voter_ref")
    ratings = _ratings(appraisal, data["ratings"])
    lock_row(uow, appraisal)
    rules.check_round_step(appraisal.status, "ballot")
    if uow.session.scalar(select(AppraisalBallot.id).where(
            AppraisalBallot.round_id == appraisal.id,
            AppraisalBallot.voter_ref == voter_ref)) is not None:
        raise Conflict(f"voter_ref: {voter_ref} has already voted in this round",
                       field="voter_ref")
    ballot = AppraisalBallot(round_id=appraisal.id, voter_kind=data["voter_kind"],
                             voter_ref=voter_ref, ratings=ratings, cast_by=_actor(uow))
    uow.session.add(ballot)
    appraisal.ballots += 1
    uow.session.flush()
    return _ballot_schema.dump({
        "id": ballot.id, "round_id": ballot.round_id, "voter_kind": ballot.voter_kind,
        "voter_ref": ballot.voter_ref, "ratings": ballot.ratings,
        "created_at": ballot.created_at})


def _round_event(appraisal: AppraisalRound) -> dict:
    return {"round_id": appraisal.id, "branch_id": appraisal.branch_id,
            "org_code": appraisal.org_code, "year": appraisal.year}


def _emit_band(uow: UnitOfWork, appraisal: AppraisalRound, result: AppraisalResult,
               overridden: bool) -> None:
    uow.emit("assessments.member_appraised", {
        **_round_event(appraisal), "party_member_id": result.party_member_id,
        "band": result.band, "overridden": overridden}, org_code=appraisal.org_code)
    if result.band == rules.UNQUALIFIED:
        uow.emit("assessments.member_rated_unqualified", {
            **_round_event(appraisal), "party_member_id": result.party_member_id,
            "unqualified_votes": result.unqualified_votes, "ballots": appraisal.ballots,
            "overridden": overridden}, org_code=appraisal.org_code)


def count(uow: UnitOfWork, round_id, today: date | None = None) -> dict:
    """Count the ballots: each member on the roll gets a band (rules in
    ``domain.appraisals``); ``assessments.member_appraised`` per member,
    ``assessments.member_rated_unqualified`` per unqualified member, then
    ``assessments.appraisal_counted``. A round without ballots cannot be counted (409)."""
    _writer(uow)
    appraisal = _visible_round(uow, round_id)
    lock_row(uow, appraisal)
    rules.check_round_step(appraisal.status, rules.COUNTED)
    if appraisal.ballots == 0:
        raise Conflict("ballots: no ballot has been cast in this round", field="ballots")
    ballots = [{int(member): rating for member, rating in ratings.items()}
               for ratings in uow.session.scalars(select(AppraisalBallot.ratings).where(
                   AppraisalBallot.round_id == appraisal.id))]
    tallies = rules.tally(list(appraisal.member_ids), ballots)
    found = rules.bands(tallies, len(ballots))
    appraisal.status, appraisal.counted_on = rules.COUNTED, _today(today)
    for votes in tallies:
        result = AppraisalResult(
            round_id=appraisal.id, party_member_id=votes.member_id,
            excellent_votes=votes.excellent, qualified_votes=votes.qualified,
            basically_qualified_votes=votes.basically_qualified,
            unqualified_votes=votes.unqualified, counted_band=found[votes.member_id],
            band=found[votes.member_id])
        uow.session.add(result)
        _emit_band(uow, appraisal, result, overridden=False)
    uow.session.flush()
    bands = _band_counts(uow, appraisal.id)
    uow.emit("assessments.appraisal_counted", {
        **_round_event(appraisal), "ballots": appraisal.ballots,
        "members": len(appraisal.member_ids), "bands": bands}, org_code=appraisal.org_code)
    return render_round(uow, appraisal)


def _render_result(result: AppraisalResult) -> dict:
    return _result_schema.dump({
        "id": result.id, "round_id": result.round_id, "party_member_id": result.party_member_id,
        "votes": {rules.EXCELLENT: result.excellent_votes,
                  rules.QUALIFIED: result.qualified_votes,
                  rules.BASICALLY_QUALIFIED: result.basically_qualified_votes,
                  rules.UNQUALIFIED: result.unqualified_votes},
        "counted_band": result.counted_band, "band": result.band,
        "overridden": result.overridden_by is not None,
        "override_reason": result.override_reason, "overridden_by": result.overridden_by,
        "overridden_at": result.overridden_at})


def list_results(uow: UnitOfWork, round_id, query_args: dict) -> dict:
    """The members' votes and bands of a counted round (empty before the count)."""
    args = load(ResultListQuerySchema, query_args)
    appraisal = _visible_round(uow, round_id)
    query = select(AppraisalResult).where(AppraisalResult.round_id == appraisal.id)
    if args["band"] is not None:
        query = query.where(AppraisalResult.band == args["band"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(AppraisalResult.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(AppraisalResult.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row.id, render=_render_result)


def override_band(uow: UnitOfWork, round_id, member_id, payload: dict) -> dict:
    """The branch committee sets a counted member's band, with a reason (recorded); the
    excellent cap still holds. ``assessments.member_appraised`` (overridden), and
    ``assessments.member_rated_unqualified`` when the band becomes unqualified."""
    data = load(OverrideSchema, payload)
    _writer(uow)
    appraisal = _visible_round(uow, round_id)
    missing = NotFound(f"member_id: no member {str(member_id)[:20]} in this round's results",
                       field="member_id")
    if not is_row_id(member_id):
        raise missing
    lock_row(uow, appraisal)
    if appraisal.status != rules.COUNTED:
        raise Conflict(f"status: the round is {appraisal.status}; bands are set when it is "
                       "counted", field="status")
    result = uow.session.scalar(select(AppraisalResult).where(
        AppraisalResult.round_id == appraisal.id, AppraisalResult.party_member_id == member_id))
    if result is None:
        raise missing
    reason = data["reason"].strip()
    if not reason:
        raise InvalidInput("reason: must not be blank", field="reason")
    if data["band"] != result.band:
        others_excellent = uow.session.scalar(select(func.count()).where(
            AppraisalResult.round_id == appraisal.id, AppraisalResult.band == rules.EXCELLENT,
            AppraisalResult.id != result.id))
        rules.check_override(data["band"], others_excellent, len(appraisal.member_ids))
    was_unqualified = result.band == rules.UNQUALIFIED
    result.band, result.override_reason = data["band"], reason
    result.overridden_by, result.overridden_at = _actor(uow), utcnow()
    uow.session.flush()
    uow.emit("assessments.member_appraised", {
        **_round_event(appraisal), "party_member_id": result.party_member_id,
        "band": result.band, "overridden": True}, org_code=appraisal.org_code)
    if result.band == rules.UNQUALIFIED and not was_unqualified:
        uow.emit("assessments.member_rated_unqualified", {
            **_round_event(appraisal), "party_member_id": result.party_member_id,
            "unqualified_votes": result.unqualified_votes, "ballots": appraisal.ballots,
            "overridden": True}, org_code=appraisal.org_code)
    return _render_result(result)


# --- five goods branch rating -------------------------------------------------------------------

def _render_rating(rating: BranchRating) -> dict:
    return _rating_schema.dump({
        "id": rating.id, "branch_id": rating.branch_id, "org_code": rating.org_code,
        "year": rating.year, "scores": rating.scores, "total": rating.total,
        "band": rating.band, "note": rating.note, "revision": rating.revision,
        "rated_by": rating.rated_by, "created_at": rating.created_at,
        "updated_at": rating.updated_at})


def _emit_rating(uow: UnitOfWork, rating: BranchRating) -> None:
    uow.emit("assessments.branch_rated", {
        "rating_id": rating.id, "branch_id": rating.branch_id, "org_code": rating.org_code,
        "year": rating.year, "scores": rating.scores, "total": rating.total,
        "band": rating.band, "revision": rating.revision}, org_code=rating.org_code)


def check_rate(uow: UnitOfWork, payload: dict) -> dict:
    data = load(BranchRatingCreateSchema, payload)
    _writer(uow)
    return data


def rate_branch(uow: UnitOfWork, payload: dict, branch: dict) -> dict:
    """Rate a branch on the five goods for a year (once; revise it after); the total and band
    from ``domain.appraisals``; ``assessments.branch_rated``."""
    data = check_rate(uow, payload)
    branch = _branch(require_caller(uow.caller), branch)
    taken = uow.session.scalar(select(BranchRating.id).where(
        BranchRating.branch_id == branch["id"], BranchRating.year == data["year"]))
    if taken is not None:
        raise Conflict(f"year: branch {branch['id']} is already rated for {data['year']} "
                       f"(rating {taken}; revise that one)", field="year")
    scores = dict(data["scores"])
    rating = BranchRating(branch_id=branch["id"], org_code=branch["org_code"],
                          year=data["year"], scores=scores, total=sum(scores.values()),
                          band=rules.branch_band(scores), note=data["note"], revision=0,
                          lock_version=0, rated_by=_actor(uow))
    uow.session.add(rating)
    uow.session.flush()
    _emit_rating(uow, rating)
    return _render_rating(rating)


def _visible_rating(uow: UnitOfWork, rating_id) -> BranchRating:
    require_caller(uow.caller)
    return find_by_id(uow, BranchRating, rating_id, code_column=BranchRating.org_code,
                      what="branch rating")


def revise_rating(uow: UnitOfWork, rating_id, payload: dict) -> dict:
    data = load(BranchRatingReviseSchema, payload)
    _writer(uow)
    rating = _visible_rating(uow, rating_id)
    lock_row(uow, rating)
    scores = dict(data["scores"])
    rating.scores, rating.total, rating.band = scores, sum(scores.values()), \
        rules.branch_band(scores)
    if data["note"] is not None:
        rating.note = data["note"]
    rating.revision += 1
    rating.rated_by = _actor(uow)
    uow.session.flush()
    _emit_rating(uow, rating)
    return _render_rating(rating)


def get_rating(uow: UnitOfWork, rating_id) -> dict:
    return _render_rating(_visible_rating(uow, rating_id))


def list_ratings(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(BranchRatingListQuerySchema, query_args)
    filters = _equal_filters(BranchRating, args, ("year", "band"))
    return _page(uow, BranchRating, args, filters, _render_rating)


# --- commitment cards ---------------------------------------------------------------------------

def _render_card(card: CommitmentCard) -> dict:
    return _card_schema.dump({
        "id": card.id, "party_member_id": card.party_member_id, "branch_id": card.branch_id,
        "org_code": card.org_code, "year": card.year, "items": card.items, "text": card.text,
        "stage": card.stage, "allowed_steps": rules.card_steps_allowed(card.stage),
        "published_on": card.published_on, "peer_average": card.peer_average,
        "peer_ratings": card.peer_ratings, "outcome": card.outcome,
        "assessment_note": card.assessment_note, "assessed_on": card.assessed_on,
        "created_by": card.created_by, "created_at": card.created_at,
        "updated_at": card.updated_at})


def _card_event(card: CommitmentCard) -> dict:
    return {"card_id": card.id, "party_member_id": card.party_member_id,
            "branch_id": card.branch_id, "org_code": card.org_code, "year": card.year}


def check_card(uow: UnitOfWork, payload: dict) -> dict:
    data = load(CommitmentCardCreateSchema, payload)
    _writer(uow)
    return data


def create_card(uow: UnitOfWork, payload: dict, member: dict) -> dict:
    """A party member's pledge for a year (``member``: membership's party member, active);
    one card per member and year (409)."""
    data = check_card(uow, payload)
    caller = require_caller(uow.caller)
    if member.get("status") != "active":
        raise InvalidInput(f"party_member_id: member {member.get('id')} is "
                           f"{member.get('status')}, not active", field="party_member_id")
    require_scope(caller, member.get("org_code") or "", "party_member_id")
    items = [item.strip() for item in data["items"]]
    if not all(items):
        raise InvalidInput("items: a pledge must not be blank", field="items")
    taken = uow.session.scalar(select(CommitmentCard.id).where(
        CommitmentCard.party_member_id == member["id"], CommitmentCard.year == data["year"]))
    if taken is not None:
        raise Conflict(f"year: member {member['id']} already has a {data['year']} card "
                       f"({taken})", field="year")
    card = CommitmentCard(party_member_id=member["id"], branch_id=member["branch_id"],
                          org_code=member["org_code"], year=data["year"], items=items,
                          text=data["text"], stage=rules.PLEDGED, peer_ratings=0,
                          lock_version=0, created_by=_actor(uow))
    uow.session.add(card)
    uow.session.flush()
    return _render_card(card)


def _card_for_step(uow: UnitOfWork, card_id) -> CommitmentCard:
    _writer(uow)
    card = find_by_id(uow, CommitmentCard, card_id, code_column=CommitmentCard.org_code,
                      what="commitment card")
    lock_row(uow, card)
    return card


def _step_day(on: date | None, today: date, not_before: date | None = None) -> date:
    """The day of a card's step: default today, not in the future, not before the last step."""
    on = on or today
    if on > today or (not_before is not None and on < not_before):
        raise InvalidInput(f"on: {on} is not between {not_before or 'the pledge'} and today "
                           f"{today}", field="on")
    return on


def publish_card(uow: UnitOfWork, card_id, payload: dict, today: date | None = None) -> dict:
    """Publish 公示 a pledged card to the masses; ``assessments.commitment_card_published``."""
    data = load(CardPublishSchema, payload)
    card = _card_for_step(uow, card_id)
    card.stage = rules.card_step(card.stage, rules.PUBLISH)
    card.published_on = _step_day(data["on"], _today(today))
    uow.session.flush()
    uow.emit("assessments.commitment_card_published", {
        **_card_event(card), "on": card.published_on.isoformat()}, org_code=card.org_code)
    return _render_card(card)


def rate_card(uow: UnitOfWork, card_id, payload: dict) -> dict:
    """A peer's rating 1-5 of a published card (one per rater, 409 for a second); the first
    makes it peer_rated."""
    data = load(CardRatingSchema, payload)
    card = _card_for_step(uow, card_id)
    card.stage = rules.card_step(card.stage, rules.RATE)
    if uow.session.scalar(select(CommitmentRating.id).where(
            CommitmentRating.card_id == card.id,
            CommitmentRating.rater_ref == data["rater_ref"])) is not None:
        raise Conflict(f"rater_ref: {data['rater_ref']} has already rated this card",
                       field="rater_ref")
    uow.session.add(CommitmentRating(card_id=card.id, rater_ref=data["rater_ref"],
                                     score=data["score"], rated_by=_actor(uow)))
    uow.session.flush()
    scores = list(uow.session.scalars(select(CommitmentRating.score).where(
        CommitmentRating.card_id == card.id)))
    card.peer_ratings, card.peer_average = len(scores), rules.peer_average(scores)
    uow.session.flush()
    return _render_card(card)


def assess_card(uow: UnitOfWork, card_id, payload: dict, today: date | None = None) -> dict:
    """The branch's assessment of a peer-rated card; ``assessments.commitment_card_assessed``."""
    data = load(CardAssessSchema, payload)
    card = _card_for_step(uow, card_id)
    card.stage = rules.card_step(card.stage, rules.ASSESS)
    card.outcome = data["outcome"]
    card.assessed_on = _step_day(data["on"], _today(today), card.published_on)
    card.assessment_note = (data["note"] or "").strip() or None
    uow.session.flush()
    uow.emit("assessments.commitment_card_assessed", {
        **_card_event(card), "outcome": card.outcome, "peer_average": card.peer_average,
        "peer_ratings": card.peer_ratings, "on": card.assessed_on.isoformat()},
        org_code=card.org_code)
    return _render_card(card)


def get_card(uow: UnitOfWork, card_id) -> dict:
    require_caller(uow.caller)
    return _render_card(find_by_id(uow, CommitmentCard, card_id,
                                   code_column=CommitmentCard.org_code, what="commitment card"))


def list_cards(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(CommitmentCardListQuerySchema, query_args)
    filters = _equal_filters(CommitmentCard, args,
                             ("party_member_id", "branch_id", "year", "stage"))
    return _page(uow, CommitmentCard, args, filters, _render_card)
