"""Demo special populations in Xiguan 西关: a few supervision files (residents membership's demo
flags as released prisoners 刑释解教) with their helpers and visits, one visit overdue, three
closed as reintegrated (the seeds' "3 reintegrated"); and registration checks of part of Xiguan's
floating residents, so its check rate is under 100%.

Made through the same use cases as the API (so the events are emitted), with membership's
residents as ``linli seed`` hands them over. Deterministic; a second run adds nothing.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from services.security import special_populations
from services.security.models.special_populations import FloatingCheck, SupervisionFile
from shared.context import CallerContext
from shared.db import UnitOfWork

XIGUAN = "350502001001"
DEMO_PRINCIPAL = "demo-seed"
HELPERS = (("陈志明", "13905951234", "worker"), ("林秀英", "13805952345", "volunteer"),
           ("黄建国", "13705953456", "family"), ("吴丽华", "0595-22881234", "worker"),
           ("郑海峰", "13605954567", "volunteer"), ("蔡美玲", "13505955678", "worker"))
# (category, risk, days since released, days since opened, reintegrated?)
FILES = (("released_prisoner", "high", 400, 300, False),
         ("released_prisoner", "medium", 200, 150, False),
         ("community_correction", "low", 120, 100, False),
         ("released_prisoner", "low", 1500, 1300, True),
         ("community_correction", "medium", 900, 800, True),
         ("released_prisoner", "low", 1100, 1000, True))
FLOATING_CHECKED_SHARE = 2  # every second floating resident of the directory is checked
RESULTS = ("registered", "registered", "registered", "unregistered_now_registered",
           "not_found", "moved_away")


def _people(directory: dict) -> list[dict]:
    residents = directory.get(XIGUAN, {}).get("residents", [])
    return [r for r in residents if "released_prisoner" in r.get("flags", [])][:len(FILES)]


def _resident(person: dict, residence: str = "registered") -> dict:
    """Membership's answer for a directory resident (as a security officer sees it)."""
    flags = set(person.get("flags", []))
    return {"id": person["id"], "name": person["name"], "grid_code": person["grid_code"],
            "residence": residence, "status": "active",
            "flags": [{"flag": flag} for flag in sorted(flags)]}


def _seed_files(uow: UnitOfWork, directory: dict, today: date) -> dict:
    created = {"supervision_file": 0, "supervision_visit": 0, "supervision_screening": 0}
    if uow.session.scalar(select(exists().where(SupervisionFile.org_code.startswith(XIGUAN)))):
        return created
    for n, (person, (category, risk, released, opened, back)) in enumerate(
            zip(_people(directory), FILES, strict=False)):
        name, phone, relation = HELPERS[n]
        opened_on = today - timedelta(days=opened)
        shown = special_populations.open_file(uow, {
            "resident_id": person["id"], "category": category, "risk_level": risk,
            "released_on": (today - timedelta(days=released)).isoformat(),
            "opened_on": opened_on.isoformat(),
            "supervision_until": (today + timedelta(days=365 - opened)).isoformat(),
            "helper": {"name": name, "phone": phone, "relation": relation}},
            _resident(person), today)
        created["supervision_file"] += 1
        every = shown["visit_every_days"]
        # the first file's visits stop three cadences ago: its visit is overdue
        last = today - timedelta(days=3 * every if n == 0 else every // 2)
        days = []
        while last > opened_on:  # every cadence back from the last visit to the opening
            days.insert(0, last)
            last -= timedelta(days=every)
        for day in days:
            special_populations.record_visit(uow, shown["id"], {
                "visited_on": day.isoformat(), "visitor": name, "outcome": "stable",
                "notes": "走访了解生活和就业情况，情况稳定"}, today)
            created["supervision_visit"] += 1
        special_populations.record_screening(uow, shown["id"], {  # re-screened on time
            "screened_on": (today - timedelta(days=30)).isoformat(), "risk_level": risk,
            "notes": "复查评估：风险等级不变"}, today)
        created["supervision_screening"] += 1
        if back:
            special_populations.close_file(uow, shown["id"], {
                "reason": "reintegrated",
                "closed_on": max(today - timedelta(days=3 * (n - 3)),
                                 date(today.year, 1, 1)).isoformat()},
                today)
    return created


def _seed_floating_checks(uow: UnitOfWork, directory: dict, today: date) -> dict:
    if uow.session.scalar(select(exists().where(FloatingCheck.org_code.startswith(XIGUAN)))):
        return {"floating_check": 0}
    floating = [r for r in directory.get(XIGUAN, {}).get("residents", [])
                if "floating" in r.get("flags", [])]
    checked = 0
    for n, person in enumerate(floating[::FLOATING_CHECKED_SHARE]):
        special_populations.record_floating_check(uow, {
            "resident_id": person["id"], "checker": "西关社区网格员",
            "checked_on": (today - timedelta(days=n % 20)).isoformat(),
            "result": RESULTS[n % len(RESULTS)]}, _resident(person, "floating"), today)
        checked += 1
    return {"floating_check": checked}


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   f"{DEMO_PRINCIPAL}-special-populations")
    try:
        created = {**_seed_files(uow, directory, today), **_seed_floating_checks(uow, directory,
                                                                                 today)}
    finally:
        uow.caller = caller
    return {kind: count for kind, count in created.items() if count}  # a second run: {}
