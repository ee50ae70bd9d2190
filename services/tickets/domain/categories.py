"""The category catalogue 工单分类: what residents ask for, with an SLA each. Plain Python, no I/O.

A category is an Open311 "service": its ``code`` is the ``service_code``, and its attribute
definitions (``attributes``) are the Open311 service definition a client must answer. The
platform ships ``DEFAULT_CATEGORIES`` (installed once, by migration 0005; a district admin may
then change their SLAs or add categories).
"""
from __future__ import annotations

import math
import re
from datetime import datetime

from shared.errors import InvalidInput

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
CODE_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
MAX_ATTRIBUTES = 20
MAX_VALUES = 50
MAX_ANSWER_LENGTH = 1000
WRITER_ROLES = ("district_admin",)


def _attribute(code, description, datatype="string", required=False, order=1, values=(),
               datatype_description=""):
    return {"code": code, "description": description, "datatype": datatype,
            "required": required, "order": order, "datatype_description": datatype_description,
            "values": [{"key": key, "name": name} for key, name in values]}


DEFAULT_CATEGORIES = [
    {"code": "home_services", "name": "家政便民服务 Home services", "group": "services",
     "description": "Cleaning, repairs inside the home, water and gas delivery, convenience outlets",
     "keywords": "家政,维修,便民", "sla_hours": 72, "response_hours": 8, "fee_class": "low_fee"},
    {"code": "medical", "name": "医疗卫生 Medical help", "group": "health",
     "description": "Help to see a doctor, home nursing, medicine delivery, health checks",
     "keywords": "医疗,看病,护理", "sla_hours": 48, "response_hours": 2, "fee_class": "free"},
    {"code": "legal_aid", "name": "法律援助 Legal aid", "group": "services",
     "description": "Legal advice and referral to legal aid",
     "keywords": "法律,援助,咨询", "sla_hours": 120, "response_hours": 24, "fee_class": "free"},
    {"code": "minimum_allowance", "name": "低保申请 Minimum-allowance application",
     "group": "assistance",
     "description": "Apply for the minimum living allowance 低保 (opens an assistance case)",
     "keywords": "低保,救助", "sla_hours": 240, "response_hours": 24, "fee_class": "free"},
    {"code": "sewer_overflow", "name": "下水道堵塞外溢 Sewer overflow", "group": "infrastructure",
     "description": "A blocked or overflowing sewer, drain or manhole",
     "keywords": "下水道,堵塞,污水", "sla_hours": 24, "response_hours": 1, "fee_class": "free",
     "attributes": [
         _attribute("severity", "How bad is it?", "singlevaluelist", required=True, values=[
             ("minor", "Slow drain, smell"), ("overflow", "Water on the street"),
             ("flooding", "Flooding homes or shops")]),
         _attribute("near_building", "Building or landmark nearby", "string", order=2)]},
    {"code": "broken_road", "name": "道路破损 Broken road or pavement", "group": "infrastructure",
     "description": "Potholes, broken paving, missing manhole covers, broken street lights",
     "keywords": "道路,坑洼,井盖,路灯", "sla_hours": 72, "response_hours": 4, "fee_class": "free",
     "attributes": [
         _attribute("hazard", "What is broken?", "multivaluelist", values=[
             ("pothole", "Pothole"), ("paving", "Broken paving"),
             ("manhole", "Missing manhole cover"), ("light", "Street light out")])]},
    {"code": "certificate_stamping", "name": "证明盖章 Certificate stamping", "group": "documents",
     "description": "Certificates the residents' committee issues or stamps (about 30 kinds)",
     "keywords": "证明,盖章,开证明", "sla_hours": 24, "response_hours": 4, "fee_class": "free",
     "attributes": [
         _attribute("certificate_kind", "Which certificate?", "singlevaluelist", required=True,
                    values=[("residence", "居住证明 Residence"),
                            ("family_relation", "亲属关系证明 Family relation"),
                            ("hardship", "困难证明 Hardship"),
                            ("unemployment", "失业证明 Unemployment"),
                            ("no_criminal_record", "无犯罪记录 No criminal record (referral)"),
                            ("elderly_card", "老年证 Elderly card"),
                            ("other", "其他 Other")]),
         _attribute("needed_by", "Needed by (date)", "datetime", order=2)]},
    {"code": "re_employment", "name": "再就业服务 Re-employment", "group": "employment",
     "description": "Job placement, training referral, unemployment registration",
     "keywords": "就业,培训,下岗", "sla_hours": 168, "response_hours": 24, "fee_class": "free"},
    {"code": "elderly_care", "name": "养老服务 Elderly care", "group": "care",
     "description": "Day care, meal delivery, home help for elderly residents",
     "keywords": "养老,助餐,居家", "sla_hours": 72, "response_hours": 8, "fee_class": "low_fee"},
    {"code": "complaint", "name": "投诉 Complaint", "group": "feedback",
     "description": "A complaint about a service, a unit or staff",
     "keywords": "投诉,意见", "sla_hours": 120, "response_hours": 24, "fee_class": "free"},
    {"code": "neighbour_dispute", "name": "邻里纠纷 Neighbour dispute", "group": "disputes",
     "description": "Noise, leaks, shared spaces, quarrels between neighbours (referred to mediation)",
     "keywords": "纠纷,调解,邻里", "sla_hours": 72, "response_hours": 4, "fee_class": "free",
     "is_dispute": True,
     "attributes": [
         _attribute("dispute_kind", "What about?", "singlevaluelist", values=[
             ("noise", "Noise"), ("leak", "Leak from above"), ("space", "Shared space"),
             ("family", "Family"), ("other", "Other")]),
         _attribute("parties", "How many households are involved", "number", order=2)]},
    {"code": "home_visit", "name": "上门走访 Home visit", "group": "care",
     "description": "A visit to a resident's home: care plans and life events (八到家)",
     "keywords": "走访,八到家,关爱", "sla_hours": 72, "response_hours": 24, "fee_class": "free"},
]


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", field=field)


def check_definitions(attributes: list[dict], field: str = "attributes") -> list[dict]:
    """Attribute definitions, normalised (sorted by order), or InvalidInput naming the entry."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise _invalid(field, f"at most {MAX_ATTRIBUTES} attributes")
    seen = set()
    result = []
    for index, attribute in enumerate(attributes):
        where = f"{field}.{index}"
        code = attribute["code"]
        if code in seen:
            raise _invalid(f"{where}.code", f"{code} is defined twice")
        seen.add(code)
        if attribute["datatype"] not in DATATYPES:
            raise _invalid(f"{where}.datatype", f"must be one of {', '.join(DATATYPES)}")
        values = attribute.get("values") or []
        if attribute["datatype"] in LIST_DATATYPES:
            if not values:
                raise _invalid(f"{where}.values", f"a {attribute['datatype']} needs values")
            keys = [value["key"] for value in values]
            if len(set(keys)) != len(keys):
                raise _invalid(f"{where}.values", "value keys must be unique")
        elif values:
            raise _invalid(f"{where}.values", f"only a list datatype has values, not "
                                              f"{attribute['datatype']}")
        result.append({"code": code, "description": attribute["description"],
                       "datatype": attribute["datatype"],
                       "required": bool(attribute.get("required", False)),
                       "order": attribute.get("order", index + 1),
                       "datatype_description": attribute.get("datatype_description") or "",
                       "values": [{"key": v["key"], "name": v["name"]} for v in values]})
    return sorted(result, key=lambda a: (a["order"], a["code"]))


def _datetime(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def check_answers(definitions: list[dict], answers: dict, field: str = "attributes") -> dict:
    """The answers to a category's attribute definitions (Open311 ``attribute[code]``), checked:
    required ones present, list values among the keys, numbers numeric; unknown codes refused."""
    known = {d["code"]: d for d in definitions}
    for code in answers:
        if code not in known:
            names = ", ".join(known) or "none"
            raise _invalid(f"{field}.{code}", f"this category has no such attribute "
                                              f"(it has: {names})")
    result = {}
    for definition in definitions:
        code, datatype = definition["code"], definition["datatype"]
        where = f"{field}.{code}"
        value = answers.get(code)
        if value is None or value == "" or value == []:
            if definition["required"]:
                raise _invalid(where, "required by this category")
            continue
        keys = [v["key"] for v in definition["values"]]
        if datatype == "singlevaluelist":
            if not isinstance(value, str) or value not in keys:
                raise _invalid(where, f"must be one of {', '.join(keys)}")
        elif datatype == "multivaluelist":
            if isinstance(value, str):
                value = [value]
            if (not isinstance(value, list) or not all(isinstance(v, str) for v in value)
                    or any(v not in keys for v in value)):
                raise _invalid(where, f"must be a list of {', '.join(keys)}")
            value = list(dict.fromkeys(value))
        elif datatype == "number":
            if isinstance(value, str):
                try:
                    value = float(value) if re.fullmatch(r"-?\d+(\.\d+)?", value.strip()) else None
                except ValueError:
                    value = None
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not math.isfinite(value)):
                raise _invalid(where, "must be a number")
        elif datatype == "datetime":
            if not _datetime(value):
                raise _invalid(where, "must be an ISO 8601 date or date-time")
        else:  # string, text
            if not isinstance(value, str):
                raise _invalid(where, "must be text")
            if len(value) > MAX_ANSWER_LENGTH:
                raise _invalid(where, f"at most {MAX_ANSWER_LENGTH} characters")
        result[code] = value
    return result
