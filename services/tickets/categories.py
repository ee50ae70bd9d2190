"""Ticket category use cases: the catalogue with an SLA per category (read by anyone, changed by a
district admin). The shipped defaults are installed by migration 0005 (``install_defaults`` does
the same for a database made without migrations)."""
from __future__ import annotations

import re

from sqlalchemy import select

from services.tickets.domain import categories as rules
from services.tickets.models import TicketCategory
from services.tickets.schemas.tickets import (
    TicketCategoryCreateSchema,
    TicketCategoryListQuerySchema,
    TicketCategorySchema,
    TicketCategoryUpdateSchema,
)
from shared.context import require_caller, require_role
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.pagination import decode_cursor, page_of
from shared.validation import load

_schema = TicketCategorySchema()


def render(category: TicketCategory) -> dict:
    return _schema.dump({
        "code": category.code, "name": category.name, "description": category.description,
        "group": category.group,
        "keywords": [k for k in (category.keywords or "").split(",") if k],
        "sla_hours": category.sla_hours, "response_hours": category.response_hours,
        "fee_class": category.fee_class, "is_dispute": category.is_dispute,
        "attributes": category.attributes or [], "active": category.active,
        "created_at": category.created_at, "updated_at": category.updated_at})

def find(uow: UnitOfWork, code, field: str = "code") -> TicketCategory:
    if not isinstance(code, str) or not re.fullmatch(rules.CODE_PATTERN, code):
        raise NotFound(f"{field}: no ticket category {code!r}", field=field)
    category = uow.session.scalar(select(TicketCategory).where(TicketCategory.code == code))
    if category is None:
        raise NotFound(f"{field}: no ticket category {code!r}", field=field)
    return category


def install_defaults(session) -> int:
    """Add the shipped categories that are missing (idempotent); returns how many were added."""
    existing = set(session.scalars(select(TicketCategory.code)))
    added = 0
    for default in rules.DEFAULT_CATEGORIES:
        if default["code"] in existing:
            continue
        session.add(TicketCategory(
            code=default["code"], name=default["name"], description=default.get("description", ""),
            group=default["group"], keywords=default.get("keywords", ""),
            sla_hours=default["sla_hours"], response_hours=default["response_hours"],
            fee_class=default.get("fee_class", "free"), is_dispute=default.get("is_dispute", False),
            attributes=default.get("attributes", []), active=True))
        added += 1
    session.flush()
    return added


def list_categories(uow: UnitOfWork, query_args: dict) -> dict:
    require_caller(uow.caller)
    args = load(TicketCategoryListQuerySchema, query_args)
    query = select(TicketCategory)
    if args["group"]:
        query = query.where(TicketCategory.group == args["group"])
    if args["active"] is not None:
        query = query.where(TicketCategory.active == args["active"])
    after = decode_cursor(args["cursor"])
    if after is not None:
        if not isinstance(after, str):
            raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
        query = query.where(TicketCategory.code > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(TicketCategory.code).limit(limit + 1)))
    return page_of(rows, limit, key=lambda c: c.code, render=render)


def get_category(uow: UnitOfWork, code: str) -> dict:
    require_caller(uow.caller)
    return render(find(uow, code, "category"))


def _keywords(text: str) -> str:
    return ",".join(k.strip() for k in text.replace("，", ",").split(",") if k.strip())[:200]


def create_category(uow: UnitOfWork, payload: dict) -> dict:
    data = load(TicketCategoryCreateSchema, payload)
    require_role(require_caller(uow.caller), *rules.WRITER_ROLES)
    attributes = rules.check_definitions(data["attributes"])
    if uow.session.scalar(select(TicketCategory.id).where(TicketCategory.code == data["code"])):
        raise Conflict(f"code: a ticket category {data['code']} exists already", field="code")
    category = TicketCategory(
        code=data["code"], name=data["name"], description=data["description"],
        group=data["group"], keywords=_keywords(data["keywords"]), sla_hours=data["sla_hours"],
        response_hours=data["response_hours"], fee_class=data["fee_class"],
        is_dispute=data["is_dispute"], attributes=attributes, active=True)
    uow.session.add(category)
    uow.session.flush()
    return render(category)


def update_category(uow: UnitOfWork, code: str, payload: dict) -> dict:
    data = load(TicketCategoryUpdateSchema, payload)
    require_role(require_caller(uow.caller), *rules.WRITER_ROLES)
    category = find(uow, code, "category")
    if "attributes" in data:
        data["attributes"] = rules.check_definitions(data["attributes"])
    if "keywords" in data:
        data["keywords"] = _keywords(data["keywords"])
    for name, value in data.items():
        setattr(category, name, value)
    category.updated_at = utcnow()
    uow.session.flush()
    return render(category)
