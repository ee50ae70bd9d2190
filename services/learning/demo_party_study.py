"""Demo party study: two of Xiguan's branches study on Thursdays (the weekly study day), hold
their branch meeting monthly and a party lesson quarterly, all last year and this year to a few
weeks ahead (so last year's quotas are settled whatever the date, and this year's under way).
Every past session has its sign-in sheet and some members wrote their notes; members attend
at their own steady rate, so by today some have met the yearly quotas and some are behind.

Made through the same use cases as the API (so the events are emitted), with membership's
branches and members as ``linli seed`` hands them over (``services.membership.demo.directory``).
Deterministic; a second run adds nothing.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import exists, select

from services.learning import party_study
from services.learning.models.party_study import StudySession
from shared.db import UnitOfWork

BRANCHES = 2  # of the first community's branches
PLANS = (("study_day", "thursday", 1), ("branch_meeting", "tuesday", 1),
         ("party_lesson", "friday", 2))
NOTE = ("认真学习了本次集中学习日的内容，结合社区工作实际，深刻体会到为民服务的重要意义。"
        "在今后的工作中，我将立足岗位，主动联系群众，积极参加志愿服务和网格巡查，"
        "及时了解居民的困难和诉求，把学习成果转化为服务居民的实际行动。")


def _note_text(rng: random.Random) -> str:
    sentences = [NOTE] * 3 + ["同时，要加强理论学习，按时参加支部活动，做好学习笔记，不断提高自身素质。"]
    rng.shuffle(sentences)
    return "".join(sentences)


def seed(uow: UnitOfWork, branches: list[dict], today: date) -> dict:
    """Plan, sign in and note the study of ``branches`` (membership's, with their members)."""
    created = {"study_session": 0, "study_attendance": 0, "study_note": 0}
    for branch in branches[:BRANCHES]:
        if uow.session.scalar(select(exists().where(StudySession.branch_id == branch["id"]))):
            continue
        members = [{**member, "branch_id": branch["id"], "status": "active"}
                   for member in branch["members"]]
        # last year whole (its quotas settled) and this year to a few weeks ahead
        years = ((date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
                 (date(today.year, 1, 1),
                  min(today + timedelta(days=45), date(today.year, 12, 31))))
        for (start, end), (kind, weekday, nth) in ((y, p) for y in years for p in PLANS):
            planned = party_study.plan_sessions(uow, {
                "branch_id": branch["id"], "kind": kind, "weekday": weekday, "nth": nth,
                "from": start.isoformat(), "to": end.isoformat(),
                "venue": "社区党群服务中心"}, branch)
            created["study_session"] += len(planned["created"])
        rng = random.Random(branch["id"])
        diligence = {member["id"]: rng.choice((0.25, 0.45, 0.6, 0.8, 0.9, 0.95))
                     for member in members}
        sessions = uow.session.scalars(select(StudySession).where(
            StudySession.branch_id == branch["id"], StudySession.held_on <= today)
            .order_by(StudySession.held_on, StudySession.id)).all()
        for session in sessions:
            records = []
            for member in members:
                roll = rng.random()
                if roll < diligence[member["id"]]:
                    status = "late" if rng.random() < 0.1 else "present"
                else:
                    status = "excused" if rng.random() < 0.4 else "absent"
                records.append({"party_member_id": member["id"], "status": status})
            party_study.record_attendance(uow, session.id, {"records": records}, members, today)
            created["study_attendance"] += len(records)
            if session.kind == "study_day":
                writers = [r["party_member_id"] for r in records if r["status"] == "present"]
                for member_id in writers[:3]:
                    party_study.write_note(uow, session.id, {
                        "party_member_id": member_id, "text": _note_text(rng)}, members, today)
                    created["study_note"] += 1
    return {kind: count for kind, count in created.items() if count}  # a second run: {}
