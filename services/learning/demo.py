"""Demo data: community schools in 江南街道 (350502001) shaped like Yuyuan street's — school 1
founded 2001-11, school 2 founded 2004-09, an activity centre open on weekdays, classes on
weekends — with a citizens' school and a branch school in Xiguan 西关 and the street's party
school; their venues and teachers (half of them Yongfeng's volunteers); and courses in every
state a worker meets: an eight-week yoga class over (its sign-in sheets kept, the residents who came to three
quarters of it completed with certificates), a tai chi class half-way through, a law lecture
over and done,
a full computing class with a waitlist and a seat offered after a withdrawal, courses open for
enrolment with eligibility (elderly, party members, laid-off), and re-employment training
offered to the laid-off residents.

Made through the same use cases as the API, back-dated with their ``now``, so every step
emits its event. Residents, volunteers and branches come from membership's demo as ``linli
seed`` hands them over (``services.membership.demo.directory``). Deterministic; a second run
adds nothing.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import exists, select

from services.learning import attendance as sign_in
from services.learning import courses, enrolments, offers, schools
from services.learning.models import CourseSession, School
from shared.context import CallerContext
from shared.db import UnitOfWork
from shared.errors import DomainError

DEMO_PRINCIPAL = "demo-seed"
STREET = "350502001"  # 江南街道
XIGUAN = "350502001001"
YONGFENG = "350502001002"
CHINA = timezone(timedelta(hours=8))

SCHOOLS = (  # key: (org_code, name, kind, parent key, address, founded_on, opening hours)
    ("one", STREET, "江南街道社区学校（一校）", "community_school", None, "西街58号",
     date(2001, 11, 1), "周六、周日上课"),
    ("two", STREET, "江南街道社区学校（二校）", "community_school", None, "永丰路949号",
     date(2004, 9, 1), "周六、周日上课"),
    ("party", STREET, "江南街道党校", "party_school", None, "西街58号", date(2006, 7, 1), None),
    ("citizens", XIGUAN, "西关社区市民学校", "citizens_school", None, "象峰巷12号",
     date(2008, 3, 1), "周二、周四晚上"),
    ("branch", XIGUAN, "社区学校一校西关分校", "branch_school", "one", "打锡巷3号",
     date(2012, 9, 1), "周六上课"),
)
VENUES = (  # key: (school key, name, address, capacity)
    ("room1", "one", "一校一号教室", "西街58号", 40),
    ("hall", "one", "一校多功能厅", "西街58号", 80),
    ("room2", "two", "二校二号教室", "永丰路949号", 40),
    ("centre", None, "江南街道社区活动中心（工作日开放）", "新华北路199弄14号", 60),
    ("xiguan", "citizens", "西关市民学校教室", "象峰巷12号", 30),
)
HIRED = ("陈秀英", "林志明", "黄丽华", "吴建国")
# key: school, title, category, target group, format, teacher (volunteer index or hired name),
# capacity, eligibility, sessions (weeks from the first one, twice-weekly for long courses),
# first session (days from today), venue, enrolments wanted
COURSES = (
    ("yoga", "two", "健身瑜伽（八周班）", "arts", None, "long_course", 3, 25, {}, 16, -70,
     "room2", 25),
    ("taichi", "one", "太极拳（八周班）", "health", "elderly", "long_course", 0, 30,
     {"age_min": 60}, 16, -25, "hall", 30),
    ("choir", "two", "老年合唱团（八周班）", "arts", "elderly", "long_course", 1, 25,
     {"age_min": 55}, 16, 5, "room2", 18),
    ("computer", "one", "电脑与智能手机入门", "computing", "working_age", "long_course",
     "林志明", 20, {}, 16, 12, "room1", 26),
    ("law", "citizens", "法律进社区：婚姻家庭与继承", "law", None, "lecture", "黄丽华", 30,
     {}, 1, -10, "xiguan", 24),
    ("english", "branch", "英语口语角", "spoken_english", "youth", "lecture", 2, 30,
     {"age_max": 35}, 2, 9, "xiguan", 6),
    ("housekeeping", "two", "家政服务员实训（再就业）", "re_employment", "laid_off", "hands_on",
     "陈秀英", 20, {"laid_off": True}, 6, 16, "room2", 0),
    ("partylesson", "party", "党课：基层党组织建设", "party_study", None, "lecture", "吴建国",
     60, {"party_member": True}, 1, 20, "centre", 40),
    ("flowers", "one", "插花艺术（品牌课程）", "arts", None, "long_course", 3, 25, {}, 16, 30,
     "room1", 12),
)
START_HOURS = {"law": 19, "english": 19, "flowers": 14}  # local time; else 9 o'clock
SESSION_HOURS = {"long_course": 2, "lecture": 1.5, "hands_on": 3}


def today() -> date:
    """The demo's today: the date in China."""
    return datetime.now(CHINA).date()


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), CHINA).astimezone(timezone.utc)


def _session_days(first: date, count: int, fmt: str) -> list[date]:
    """Long courses meet twice a week (the first day and three days later), others weekly."""
    if fmt != "long_course":
        return [first + timedelta(weeks=week) for week in range(count)]
    return [first + timedelta(weeks=i // 2, days=3 * (i % 2)) for i in range(count)]


def _resident(person: dict) -> dict:
    return {"id": person["id"], "name": person["name"], "grid_code": person["grid_code"],
            "status": "active", "birth_date": person["birth_date"], "flags": person["flags"]}


def _eligible_people(people: list[dict], eligibility: dict, today: date) -> list[dict]:
    def age(person):
        born = person["birth_date"]
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return [p for p in people
            if age(p) >= eligibility.get("age_min", 0) and age(p) <= eligibility.get("age_max", 200)
            and (not eligibility.get("laid_off") or "laid_off" in p["flags"])]


def seed(uow: UnitOfWork, directory: dict, on: date | None = None) -> dict:
    """Schools to certificates; ``directory`` is membership's (``demo.directory``)."""
    if uow.session.scalar(select(exists().where(School.created_by == DEMO_PRINCIPAL))):
        return {}
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   "learning-demo-seed")
    try:
        return _seed(uow, directory, on or today())
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    created = dict.fromkeys(("school", "venue", "teacher", "course", "course_session",
                             "enrolment", "attendance", "certificate", "course_offer"), 0)
    made: dict[str, dict] = {}
    for key, org, name, kind, parent, address, founded, hours in SCHOOLS:
        made[key] = schools.create_school(uow, {
            "org_code": org, "name": name, "kind": kind, "address": address,
            "founded_on": founded.isoformat(), "opening_hours": hours,
            "parent_id": made[parent]["id"] if parent else None},
            {"code": org, "level": "street" if len(org) == 9 else "community"})
        created["school"] += 1
    venues = {}
    for key, school, name, address, capacity in VENUES:
        venues[key] = schools.create_venue(uow, {
            "school_id": made[school]["id"] if school else None,
            "org_code": None if school else STREET, "name": name, "address": address,
            "capacity": capacity}, None if school else {"code": STREET, "level": "street"})
        created["venue"] += 1
    volunteers = directory[YONGFENG]["volunteers"][:4]
    teachers = [schools.create_teacher(uow, {"kind": "volunteer", "volunteer_id": v["id"]},
                                       {**v, "community_code": YONGFENG, "status": "active"})
                for v in volunteers]
    teachers_by_name = {name: schools.create_teacher(uow, {"kind": "hired", "name": name,
                                                           "org_code": STREET}, None)
                        for name in HIRED}
    created["teacher"] += len(teachers) + len(teachers_by_name)

    people = directory[XIGUAN]["residents"] + directory[YONGFENG]["residents"]
    party_residents = {member["resident_id"] for community in (XIGUAN, YONGFENG)
                       for branch in directory[community]["branches"]
                       for member in branch["members"]}
    rng = random.Random(350502001)
    now = datetime.now(timezone.utc)
    course_ids = {}
    for (key, school, title, category, group, fmt, teacher, capacity, eligibility, count,
         first_in, venue, wanted) in COURSES:
        first = today + timedelta(days=first_in)
        days = _session_days(first, count, fmt)
        opens = _at(first - timedelta(days=40), 9)
        course = courses.create_course(uow, {
            "school_id": made[school]["id"], "title": title, "category": category,
            "target_group": group, "format": fmt, "capacity": capacity,
            "teacher_id": (teachers[teacher] if isinstance(teacher, int)
                           else teachers_by_name[teacher])["id"],
            "eligibility": eligibility, "enrol_opens_at": opens.isoformat(),
            "enrol_closes_at": _at(days[-1] if first_in < 0 else first, 8).isoformat(),
            "permanent": key in ("taichi", "flowers"), "brand": key == "flowers",
            "description": f"{title}，由社区学校开设，面向辖区居民。"}, opens)
        course_ids[key] = course["id"]
        created["course"] += 1
        start_hour = START_HOURS.get(key, 9)
        courses.schedule_sessions(uow, course["id"], {"sessions": [{
            "venue_id": venues[venue]["id"], "starts_at": _at(day, start_hour).isoformat(),
            "ends_at": (_at(day, start_hour) + timedelta(hours=SESSION_HOURS[fmt])).isoformat(),
            "topic": f"第{index + 1}讲"} for index, day in enumerate(days)]})
        created["course_session"] += len(days)
        candidates = _eligible_people(people, eligibility, today)
        party_member = None
        if eligibility.get("party_member"):  # membership would be asked; the directory knows
            candidates = [p for p in candidates if p["id"] in party_residents]
            party_member = True
        rng.shuffle(candidates)
        enrolled_at = opens + timedelta(days=1)
        for person in candidates[:wanted]:
            try:
                enrolments.enrol_resident(uow, courses.find_course(uow, course["id"]),
                                          _resident(person), party_member, enrolled_at)
            except DomainError:
                continue
            created["enrolment"] += 1
            enrolled_at += timedelta(minutes=7)
        created["attendance"] += _sign_in_past_sessions(uow, course["id"], rng, now)
    for key in ("yoga", "law"):  # every session over: the course is finished
        courses.finish_course(uow, course_ids[key])
    # a withdrawal from the full class: its first waitlisted resident is offered the seat
    full = courses.find_course(uow, course_ids["computer"])
    holder = next(e for e in enrolments.list_course_enrolments(
        uow, full.id, {"status": "enrolled", "limit": 1})["items"])
    enrolments.withdraw(uow, holder["id"])
    # re-employment training offered to the laid-off residents
    for person in people:
        if "laid_off" in person["flags"] and offers.offer_course(
                uow, person["id"], person["grid_code"], f"demo-{person['id']}") is not None:
            created["course_offer"] += 1
    from services.learning.models.attendance import Certificate

    created["certificate"] = len(uow.session.scalars(select(Certificate.id)).all())
    return created


def _sign_in_past_sessions(uow: UnitOfWork, course_id: int, rng: random.Random,
                           now: datetime) -> int:
    """Every session that has ended gets its sheet: most residents present, some late,
    excused or absent, each at their own steady rate."""
    holders = enrolments.list_course_enrolments(uow, course_id,
                                                {"status": "enrolled", "limit": 200})["items"]
    if not holders:
        return 0
    steadiness = {e["id"]: rng.choice((0.55, 0.7, 0.85, 0.9, 0.95, 1.0)) for e in holders}
    recorded = 0
    for session in uow.session.scalars(select(CourseSession).where(
            CourseSession.course_id == course_id, CourseSession.ends_at <= now)
            .order_by(CourseSession.starts_at)):
        records = []
        for enrolment in holders:
            roll = rng.random()
            status = ("present" if roll < steadiness[enrolment["id"]] else
                      rng.choice(("late", "late", "excused", "absent")))
            records.append({"enrolment_id": enrolment["id"], "status": status})
        sign_in.record_attendance(uow, session.id, {"records": records}, session.ends_at)
        recorded += len(records)
    return recorded
