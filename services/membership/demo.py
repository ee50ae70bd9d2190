"""Demo data: Licheng district 鲤城区 (350502), its six streets, 77 communities, a few grids each.

Street names and the district's figures are the seeds'; community names are invented (two of
them are named after the seeds' Xiguan 西关 and Yongfeng 永丰, whose people arrive later).
Seeding goes through the same use cases as the API, so every node is also an event; nodes
that exist are left alone, so seeding twice adds nothing.
"""
from __future__ import annotations

from services.membership import territory
from shared.db import UnitOfWork

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
