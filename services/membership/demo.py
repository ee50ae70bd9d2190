"""Demo data: Licheng district 鲤城区 (350502), its six streets, 77 communities, a few grids each.

Street names and the district's figures are the seeds'; community names are invented (two of
them are named after the seeds' Xiguan 西关 and Yongfeng 永丰, and get people: see below).
Seeding goes through the same use cases as the API, so every node is also an event; nodes
that exist are left alone, so seeding twice adds nothing.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from services.membership import organisations, party_members, territory, volunteers
from services.membership.domain import residents as rules
from services.membership.models import (
    Household,
    PartyOrganisation,
    Resident,
    ResidentFlag,
    TerritoryNode,
)
from services.membership.models.party_members import PartyMember
from services.membership.models.volunteers import Volunteer, VolunteerTeam
from shared.db import UnitOfWork
from shared.personal_data import PersonalData, check_digit, mask_id_number

DISTRICT = ("350502", "鲤城区")
STREETS = [
    ("350502001", "江南街道", ["西关", "永丰", "亭店", "新门", "金浦", "高山", "鹏山", "江南新区",
                              "火炬", "陈店", "紫帽", "溪头", "金谷"]),
    ("350502002", "浮桥街道", ["浮桥", "笋江", "黄龙", "金山", "新步", "王宫", "坂头", "延陵",
                              "桥南", "仕公岭", "溜石", "霞洲", "普贤"]),
    ("350502003", "开元街道", ["开元", "象峰", "新华", "西街", "裴巷", "旧馆", "聚宝", "南岳",
                              "通源", "文胜", "古榕", "甲第巷", "东街"]),
    ("350502004", "鲤中街道", ["鲤中", "中山", "义全", "胭脂巷", "状元", "花巷", "三朝", "五堡",
                              "县后", "兴贤", "承天", "井亭", "金鱼"]),
    ("350502005", "海滨街道", ["海滨", "天后", "万寿", "富美", "后城", "聚津", "青龙", "车桥",
                              "德济", "南俊", "顺济", "水巷", "宝觉"]),
    ("350502006", "临江街道", ["临江", "东鲁", "五堡东", "厂口", "釜山", "溪亭", "风炉",
                              "吉祥", "镇抚", "新街", "会通", "清源"]),
]
GRIDS_PER_COMMUNITY = (3, 4, 5)


def demo_nodes():
    """(level, code, name, parent_code) for every demo node, parents first."""
    district_code, district_name = DISTRICT
    yield "district", district_code, district_name, None
    for street_code, street_name, communities in STREETS:
        yield "street", street_code, street_name, district_code
        for number, community in enumerate(communities, start=1):
            community_code = f"{street_code}{number:03d}"
            yield "community", community_code, f"{community}社区", street_code
            grids = GRIDS_PER_COMMUNITY[number % len(GRIDS_PER_COMMUNITY)]
            for grid in range(1, grids + 1):
                yield "grid", f"{community_code}{grid:03d}", f"{community}第{grid}网格", community_code


def seed(uow: UnitOfWork) -> dict:
    """Create the demo nodes that do not exist yet; returns how many were created per level."""
    created: dict[str, int] = {}
    existing = {row for row in territory.existing_codes(uow)}
    for level, code, name, parent_code in demo_nodes():
        if code in existing:
            continue
        territory.create_node(uow, {"level": level, "code": code, "name": name,
                                    "parent_code": parent_code})
        created[level] = created.get(level, 0) + 1
    return created


# --- people of Xiguan and Yongfeng ---------------------------------------------------------
#
# Two communities shaped like the seeds': Xiguan 西关 (2,189 households, 5,816 residents, 5 party
# branches, 193 party members) and Yongfeng 永丰 (86 minimum-allowance households with 209
# persons, 5 branches with 16 groups, 151 retired + 340 in-service party members, 6 volunteer
# teams). Names, addresses and phone numbers are invented; ID numbers are
# valid (Licheng's area code 350502, a real birth date, the right check digit). Everything comes
# from a random generator seeded per community, with ages counted from a fixed day, so every run
# plans the same people: those whose ID number (its keyed hash) is registered already, the
# households whose address is recorded already and the organisations whose name exists already
# are left alone, so seeding twice adds nothing. Rows are written in batches of households; every
# one still raises its event through the outbox, as the API would.

SURNAMES = ("陈林黄王吴李张蔡郑许洪庄苏杨施刘曾翁柯颜肖傅欧谢卢粘龚郭丁潘董尤骆江何戴")
MALE_GIVEN = ("志明", "建华", "国栋", "文辉", "伟强", "振兴", "家豪", "俊杰", "明哲", "永福",
              "天佑", "宏图", "金水", "清源", "泉生", "荣华", "子轩", "浩然", "思远", "承志",
              "德胜", "海峰", "晓东", "嘉伟", "锦程", "培元", "福来", "少华", "昭明", "东升")
FEMALE_GIVEN = ("秀英", "丽华", "美玲", "淑芬", "雅婷", "佳怡", "惠珍", "玉兰", "碧霞", "丽娟",
                "婉清", "诗涵", "梓萱", "晓燕", "春梅", "桂香", "素琴", "月娥", "静怡", "雪芳",
                "秋菊", "宝珠", "凤英", "丽云", "慧敏", "欣怡", "梦琪", "海燕", "金花", "巧玲")
REFERENCE_DAY = date(2025, 12, 31)  # ages are counted from here, so every run plans alike
AREA = "350502"
PROGRESS_EVERY = 500
HOUSEHOLD_BATCH = 200


@dataclass(frozen=True)
class CommunityPlan:
    code: str
    name: str
    seed: int
    households: int
    residents: int
    roads: tuple[str, ...]
    minimum_allowance: tuple[int, int] = (0, 0)  # (households, persons)
    branches: tuple[tuple[str, int], ...] = ()  # (branch name, number of groups)
    volunteer_teams: tuple[tuple[str, str], ...] = ()  # (team name, kind)
    volunteers: int = 0
    party_members: tuple[tuple[str, int], ...] = ()  # (category, how many)


COMMUNITIES = (
    CommunityPlan(
        code="350502001001", name="西关社区", seed=350502001001, households=2189, residents=5816,
        roads=("西街", "象峰巷", "打锡巷", "甲第巷", "新华北路", "裴巷"),
        minimum_allowance=(31, 74),
        branches=(("西关社区第一党支部", 0), ("西关社区第二党支部", 0),
                  ("西关社区第三党支部", 0), ("西关社区离退休党支部", 0),
                  ("西关社区非公企业联合党支部", 0)),
        party_members=(("resident", 82), ("retired", 71), ("in_service", 32), ("mobile", 8))),
    CommunityPlan(
        code="350502001002", name="永丰社区", seed=350502001002, households=1624,
        residents=4318, roads=("永丰路", "后茂巷", "田安路", "温陵北路", "永福里"),
        minimum_allowance=(86, 209),
        branches=(("永丰社区第一党支部", 4), ("永丰社区第二党支部", 3),
                  ("永丰社区第三党支部", 3), ("永丰社区老年党支部", 3),
                  ("永丰社区流动党员党支部", 3)),
        volunteer_teams=(("永丰平安巡逻队", "patrol"), ("永丰助残志愿服务队", "disability_help"),
                         ("永丰爱心助老队", "elderly_care"), ("永丰文明劝导队", "culture"),
                         ("永丰环境美化队", "environment"), ("永丰义诊志愿队", "medical")),
        volunteers=180,
        party_members=(("retired", 151), ("in_service", 340))),
)


@dataclass
class PlannedResident:
    name: str
    birth_date: date
    gender: str
    id_number: str
    phone: str | None
    residence: str
    flags: list[str] = field(default_factory=list)


@dataclass
class PlannedHousehold:
    grid_code: str
    address: str
    members: list[PlannedResident]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _household_sizes(rng: random.Random, households: int, residents: int) -> list[int]:
    sizes = rng.choices((1, 2, 3, 4, 5, 6), weights=(17, 30, 27, 16, 7, 3), k=households)
    while sum(sizes) > residents:
        i = rng.randrange(households)
        if sizes[i] > 1:
            sizes[i] -= 1
    while sum(sizes) < residents:
        i = rng.randrange(households)
        if sizes[i] < 6:
            sizes[i] += 1
    return sizes


def _minimum_allowance_sizes(count: int, persons: int) -> list[int]:
    """Sizes of ``count`` households of 2 or 3 persons adding up to ``persons``."""
    threes = persons - 2 * count
    if not 0 <= threes <= count:
        raise ValueError("minimum allowance households must have 2 or 3 persons each")
    return [3] * threes + [2] * (count - threes)


class _Planner:
    def __init__(self, plan: CommunityPlan, grids: list[str]):
        self.plan = plan
        self.grids = grids
        self.rng = random.Random(plan.seed)
        # restricted flags draw from their own sequence, so adding them shifted nothing else
        self.restricted_rng = random.Random(plan.seed * 31 + 7)
        self.used_ids: set[str] = set()

    def person(self, age: int, gender: str, surname: str | None = None) -> PlannedResident:
        rng = self.rng
        born = _years_before(REFERENCE_DAY, age) - timedelta(days=rng.randrange(365))
        while True:
            sequence = rng.randrange(0, 100) * 10 + rng.choice(
                (1, 3, 5, 7, 9) if gender == "male" else (0, 2, 4, 6, 8))
            first17 = f"{AREA}{born:%Y%m%d}{sequence:03d}"
            number = first17 + check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        given = rng.choice(MALE_GIVEN if gender == "male" else FEMALE_GIVEN)
        name = (surname or rng.choice(SURNAMES)) + given
        phone = None
        if age >= 14 and rng.random() < 0.9:
            phone = rng.choice(("139", "138", "136", "159", "188", "135", "177")) + \
                f"{rng.randrange(10 ** 8):08d}"
        residence = "floating" if rng.random() < 0.12 else "registered"
        return PlannedResident(name, born, gender, number, phone, residence)

    def household(self, number: int, size: int) -> PlannedHousehold:
        rng = self.rng
        grid = self.grids[number % len(self.grids)]
        road = self.plan.roads[number % len(self.plan.roads)]
        address = f"{road}{number // len(self.plan.roads) + 1}号"
        if size > 2 or rng.random() < 0.4:
            address += f"{rng.randrange(1, 7)}0{rng.randrange(1, 5)}室"
        surname = rng.choice(SURNAMES)
        if size == 1:
            head_age = rng.choice((rng.randrange(22, 60), rng.randrange(60, 95)))
        else:
            head_age = rng.randrange(28, 86)
        head_gender = rng.choice(("male", "female"))
        members = [self.person(head_age, head_gender, surname)]
        if size >= 2:
            spouse_gender = "female" if head_gender == "male" else "male"
            spouse_age = max(20, min(95, head_age + rng.randrange(-5, 6)))
            members.append(self.person(spouse_age, spouse_gender))
        for _ in range(size - 2):
            child_age = max(0, head_age - rng.randrange(22, 36))
            if head_age < 45 and rng.random() < 0.25:  # a grandparent living with them
                child_age = min(95, head_age + rng.randrange(24, 32))
            members.append(self.person(child_age, rng.choice(("male", "female")),
                                       surname if child_age < head_age else None))
        self._flag(members)
        return PlannedHousehold(grid, address, members)

    def _flag(self, members: list[PlannedResident]) -> None:
        rng = self.rng
        for person in members:
            age = rules.age_on(person.birth_date, REFERENCE_DAY)
            if len(members) == 1 and age >= 65 and rng.random() < 0.6:
                person.flags.append("elderly_living_alone")
            if rng.random() < 0.02:
                person.flags.append("disabled")
            if age >= 55 and rng.random() < 0.12:
                person.flags.append("chronically_ill")
            if person.gender == "male" and 35 <= age <= 80 and rng.random() < 0.03:
                person.flags.append("veteran")
            if 30 <= age <= 59 and rng.random() < 0.02:
                person.flags.append("laid_off")
            if person.residence == "floating":
                person.flags.append("floating")
            if person.gender == "male" and 25 <= age <= 60 \
                    and self.restricted_rng.random() < 0.006:
                person.flags.append("released_prisoner")  # 刑释解教, seen by security only

    def households(self) -> list[PlannedHousehold]:
        plan = self.plan
        special = _minimum_allowance_sizes(*plan.minimum_allowance) \
            if plan.minimum_allowance[0] else []
        sizes = _household_sizes(self.rng, plan.households - len(special),
                                 plan.residents - sum(special))
        picked = set(self.rng.sample(range(plan.households), len(special)))
        planned, special_left, others = [], list(special), iter(sizes)
        for number in range(plan.households):
            allowance = number in picked
            household = self.household(number, special_left.pop() if allowance
                                       else next(others))
            if allowance:
                for person in household.members:
                    person.flags.append("minimum_allowance")
            planned.append(household)
        return planned


def _ids_registered(uow: UnitOfWork, hashes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        found.update(uow.session.scalars(select(Resident.id_number_hash).where(
            Resident.id_number_hash.in_(hashes[start:start + 500]))))
    return found


def _count(created: dict, key: str, n: int = 1) -> None:
    if n:
        created[key] = created.get(key, 0) + n


def _seed_people(uow: UnitOfWork, personal: PersonalData, plan: CommunityPlan, grids: list[str],
                 created: dict, progress) -> None:
    """Households (the first member registered is the representative), residents, flags."""
    planned = _Planner(plan, grids).households()
    hash_of = {person.id_number: personal.id_hash(person.id_number)
               for household in planned for person in household.members}
    registered = _ids_registered(uow, list(hash_of.values()))
    existing_households = {
        (row.grid_code, row.address): row.id for row in uow.session.execute(
            select(Household.grid_code, Household.address, Household.id)
            .where(Household.grid_code.like(f"{plan.code}%")))}
    actor = uow.caller.actor if uow.caller else "system"
    done = 0
    for start in range(0, len(planned), HOUSEHOLD_BATCH):
        batch = planned[start:start + HOUSEHOLD_BATCH]
        new_households = []
        for household in batch:
            if (household.grid_code, household.address) not in existing_households:
                row = Household(address=household.address, grid_code=household.grid_code,
                                learning_family=False, civilised_family=False)
                new_households.append((household, row))
                uow.session.add(row)
        uow.session.flush()
        for household, row in new_households:
            existing_households[(household.grid_code, household.address)] = row.id
            uow.emit("membership.household_created", {
                "household_id": row.id, "grid_code": row.grid_code, "designations": []},
                org_code=row.grid_code)
        _count(created, "household", len(new_households))
        new_residents = []
        for household in batch:
            household_id = existing_households[(household.grid_code, household.address)]
            for person in household.members:
                id_hash = hash_of[person.id_number]
                if id_hash in registered:
                    continue
                registered.add(id_hash)
                row = Resident(
                    name=person.name, gender=person.gender, birth_date=person.birth_date,
                    id_number_hash=id_hash, id_number_sealed=personal.seal(person.id_number),
                    id_number_masked=mask_id_number(person.id_number), phone=person.phone,
                    address=household.address, grid_code=household.grid_code,
                    household_id=household_id, residence=person.residence, status="active")
                new_residents.append((person, row))
                uow.session.add(row)
        uow.session.flush()
        representatives = {}
        for person, row in new_residents:
            uow.emit("membership.resident_registered", {
                "resident_id": row.id, "grid_code": row.grid_code,
                "household_id": row.household_id, "residence": row.residence,
                "gender": row.gender, "birth_date": row.birth_date.isoformat()},
                org_code=row.grid_code)
            uow.emit("membership.household_member_added", {
                "household_id": row.household_id, "grid_code": row.grid_code,
                "resident_id": row.id}, org_code=row.grid_code)
            representatives.setdefault(row.household_id, row.id)
            for flag in person.flags:
                since = max(person.birth_date, date(2020, 1, 1))
                uow.session.add(ResidentFlag(resident_id=row.id, flag=flag, set_on=since,
                                             set_reason="demo data", set_by=actor))
                uow.emit("membership.resident_flagged", {
                    "resident_id": row.id, "grid_code": row.grid_code, "flag": flag,
                    "restricted": False, "on": since.isoformat(), "reason": "demo data"},
                    org_code=row.grid_code)
                _count(created, "resident_flag")
        for _household, row in new_households:
            if row.id in representatives:
                row.representative_id = representatives[row.id]
        uow.session.flush()
        _count(created, "resident", len(new_residents))
        before, done = done, done + sum(len(h.members) for h in batch)
        if progress and (done // PROGRESS_EVERY != before // PROGRESS_EVERY
                         or done == plan.residents):
            progress(f"{plan.name}: {done} of {plan.residents} residents")


def _seed_party(uow: UnitOfWork, plan: CommunityPlan, created: dict) -> list[tuple[int, list[int]]]:
    """The street working committee, the community's party committee, its branches, groups;
    returns each branch's id with its groups' ids."""
    def ensure(kind, name, org_code, parent_id):
        found = uow.session.scalar(select(PartyOrganisation.id).where(
            PartyOrganisation.org_code == org_code, PartyOrganisation.name == name))
        if found is not None:
            return found
        org = organisations.create_party_org(uow, {
            "kind": kind, "name": name, "org_code": org_code, "parent_id": parent_id,
            "founded_on": "2008-07-01"})
        _count(created, "party_organisation")
        return org["id"]

    street_code = plan.code[:9]
    street_name = next(name for code, name, _ in STREETS if code == street_code)
    street = ensure("street_working_committee", f"{street_name}党工委", street_code, None)
    committee = ensure("community_party_committee", f"{plan.name}党委", plan.code, street)
    branches = []
    for branch_name, groups in plan.branches:
        branch = ensure("branch", branch_name, plan.code, committee)
        branches.append((branch, [ensure("group", f"{branch_name}第{number}党小组", plan.code, branch)
                                  for number in range(1, groups + 1)]))
    return branches


def _seed_party_members(uow: UnitOfWork, plan: CommunityPlan,
                        branches: list[tuple[int, list[int]]], created: dict) -> None:
    """Full members spread over the branches (and their groups): retired members from the
    over-60s, the others from working age, in a fixed order so a second seed adds nothing."""
    if not plan.party_members or not branches:
        return
    members = set(uow.session.scalars(select(PartyMember.resident_id)))
    in_community = Resident.grid_code.like(f"{plan.code}%")
    working_age = (Resident.birth_date <= _years_before(REFERENCE_DAY, 22),
                   Resident.birth_date > _years_before(REFERENCE_DAY, 60))
    retired_age = (Resident.birth_date <= _years_before(REFERENCE_DAY, 60),
                   Resident.birth_date > _years_before(REFERENCE_DAY, 90))

    def candidates(ages) -> list[int]:
        return list(uow.session.scalars(
            select(Resident.id).where(in_community, Resident.status == "active", *ages)
            .order_by(Resident.id_number_hash.desc())))

    pools = {"retired": candidates(retired_age), "working": candidates(working_age)}
    taken = {"retired": 0, "working": 0}
    number = 0
    for category, count in plan.party_members:
        pool = "retired" if category == "retired" else "working"
        chosen = pools[pool][taken[pool]:taken[pool] + count]
        taken[pool] += count
        for resident_id in chosen:
            branch, groups = branches[number % len(branches)]
            number += 1
            if resident_id in members:
                continue
            party_members.register_member(uow, {
                "resident_id": resident_id, "branch_id": branch,
                "group_id": groups[number % len(groups)] if groups else None,
                "category": category, "stage": "full",
                "stage_since": _years_before(REFERENCE_DAY, 3 + number % 30).isoformat()})
            members.add(resident_id)
            _count(created, "party_member")


def _seed_volunteers(uow: UnitOfWork, plan: CommunityPlan, created: dict) -> None:
    if not plan.volunteer_teams:
        return
    teams = []
    for name, kind in plan.volunteer_teams:
        team_id = uow.session.scalar(select(VolunteerTeam.id).where(
            VolunteerTeam.community_code == plan.code, VolunteerTeam.name == name))
        if team_id is None:
            team_id = volunteers.create_team(uow, {"community_code": plan.code, "name": name,
                                                   "kind": kind})["id"]
            _count(created, "volunteer_team")
        teams.append(team_id)
    adults = list(uow.session.scalars(
        select(Resident.id).where(Resident.grid_code.like(f"{plan.code}%"),
                                  Resident.birth_date <= _years_before(REFERENCE_DAY, 18),
                                  Resident.birth_date > _years_before(REFERENCE_DAY, 70))
        .order_by(Resident.id_number_hash).limit(plan.volunteers)))
    enrolled = {row.resident_id: row.id for row in uow.session.execute(
        select(Volunteer.resident_id, Volunteer.id).where(Volunteer.resident_id.in_(adults)))}
    skills = ("first aid", "patrol", "caregiving", "calligraphy", "tea art", "plumbing",
              "Minnan opera", "counselling")
    for number, resident_id in enumerate(adults):
        if resident_id in enrolled:
            continue
        volunteer = volunteers.enrol_volunteer(uow, {
            "resident_id": resident_id, "skills": [skills[number % len(skills)]]})
        volunteers.join_team(uow, teams[number % len(teams)], {"volunteer_id": volunteer["id"]})
        _count(created, "volunteer")


def seed_community(uow: UnitOfWork, personal: PersonalData, plan: CommunityPlan,
                   progress=None) -> dict:
    """The people, party organisations and volunteers of one demo community (what exists is
    left alone); returns how many rows were created per kind."""
    created: dict[str, int] = {}
    grids = sorted(uow.session.scalars(select(TerritoryNode.code).where(
        TerritoryNode.parent_code == plan.code, TerritoryNode.level == "grid",
        TerritoryNode.status == "active")))
    if not grids:
        return created
    _seed_people(uow, personal, plan, grids, created, progress)
    branches = _seed_party(uow, plan, created)
    _seed_party_members(uow, plan, branches, created)
    _seed_volunteers(uow, plan, created)
    return created


def directory(uow: UnitOfWork, community_codes: tuple[str, ...], residents_per_community: int = 400
              ) -> dict:
    """What other services' demo data needs to name membership's people (``linli seed`` hands
    it to them; they never read this database): per community, active residents (id, name,
    grid, birth date, flags), volunteers, party branches with their active members, and the
    first households with their representative."""
    found: dict = {}
    for code in community_codes:
        active = (Resident.grid_code.like(f"{code}%"), Resident.status == "active")
        columns = (Resident.id, Resident.name, Resident.grid_code, Resident.birth_date)
        people = uow.session.execute(select(*columns).where(*active).order_by(Resident.id)
                                     .limit(residents_per_community)).all()
        people += uow.session.execute(  # and everyone the security demo keeps a file on
            select(*columns).where(*active, Resident.id > (people[-1].id if people else 0),
                                   Resident.id.in_(select(ResidentFlag.resident_id).where(
                                       ResidentFlag.flag == "released_prisoner",
                                       ResidentFlag.cleared_on.is_(None))))
            .order_by(Resident.id)).all()
        ids = [person.id for person in people]
        flags: dict[int, list[str]] = {}
        for resident_id, flag in uow.session.execute(
                select(ResidentFlag.resident_id, ResidentFlag.flag)
                .where(ResidentFlag.resident_id.in_(ids), ResidentFlag.cleared_on.is_(None))):
            flags.setdefault(resident_id, []).append(flag)
        volunteer_rows = uow.session.execute(
            select(Volunteer.id, Volunteer.resident_id, Resident.name)
            .join(Resident, Resident.id == Volunteer.resident_id)
            .where(Volunteer.community_code == code, Volunteer.status == "active")
            .order_by(Volunteer.id)).all()
        branches = []
        for branch in uow.session.scalars(
                select(PartyOrganisation).where(PartyOrganisation.org_code == code,
                                                PartyOrganisation.kind == "branch",
                                                PartyOrganisation.status == "active")
                .order_by(PartyOrganisation.id)):
            members = uow.session.execute(
                select(PartyMember.id, PartyMember.resident_id, Resident.name)
                .join(Resident, Resident.id == PartyMember.resident_id)
                .where(PartyMember.branch_id == branch.id, PartyMember.status == "active")
                .order_by(PartyMember.id)).all()
            branches.append({"id": branch.id, "name": branch.name, "org_code": branch.org_code,
                             "kind": branch.kind, "status": branch.status,
                             "members": [{"id": m.id, "resident_id": m.resident_id,
                                          "name": m.name} for m in members]})
        household_rows = uow.session.execute(
            select(Household.id, Household.grid_code, Resident.name)
            .join(Resident, Resident.id == Household.representative_id)
            .where(Household.grid_code.like(f"{code}%")).order_by(Household.id).limit(20)).all()
        found[code] = {
            "households": [{"id": h.id, "grid_code": h.grid_code, "representative_name": h.name}
                           for h in household_rows],
            "residents": [{"id": p.id, "name": p.name, "grid_code": p.grid_code,
                           "birth_date": p.birth_date, "flags": flags.get(p.id, [])}
                          for p in people],
            "volunteers": [{"id": v.id, "resident_id": v.resident_id, "name": v.name}
                           for v in volunteer_rows],
            "branches": branches}
    return found
