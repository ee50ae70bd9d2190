"""Territory use cases: load, apply the rules in ``domain.territory``, store, emit."""
from __future__ import annotations

from sqlalchemy import func, select

from services.membership.domain import territory as rules
from services.membership.honours import current_honours
from services.membership.models import TerritoryCodeAlias, TerritoryNode
from services.membership.schemas.territory import (
    DescendantsQuerySchema,
    MergeSchema,
    NodeCreateSchema,
    NodeListQuerySchema,
    NodeRenameSchema,
    NodeSchema,
)
from shared.context import require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.pagination import decode_cursor, page_of
from shared.validation import load

_node_schema = NodeSchema()


def render(node: TerritoryNode) -> dict:
    return _node_schema.dump(node)


def render_one(uow: UnitOfWork, node: TerritoryNode) -> dict:
    """One node as its own record shows it: a community with its current honours."""
    shown = current_honours(uow, community_code=node.code) if node.level == "community" else []
    return {**render(node), "honours": shown}


def _as_rule_node(node: TerritoryNode) -> rules.Node:
    return rules.Node(node.code, node.name, node.level, node.parent_code, node.status)


def find_node(uow: UnitOfWork, code: str, field: str = "code") -> TerritoryNode:
    """The node with this code, or the node an old (merged-away) code now belongs to."""
    session = uow.session
    node = session.scalar(select(TerritoryNode).where(TerritoryNode.code == code))
    if node is None:
        node = session.scalar(
            select(TerritoryNode).join(TerritoryCodeAlias, TerritoryCodeAlias.node_id == TerritoryNode.id)
            .where(TerritoryCodeAlias.old_code == code)
        )
    if node is None:
        raise NotFound(f"{field}: no territory node has the code {code}", field=field)
    return node


def _visible_node(uow: UnitOfWork, code: str, field: str = "code") -> TerritoryNode:
    # Out-of-scope codes are refused before the lookup so a caller cannot probe what exists.
    require_scope(uow.caller, code, field)
    node = find_node(uow, code, field)
    require_scope(uow.caller, node.code, field)
    return node


def _child_codes(uow: UnitOfWork, parent_code: str) -> set[str]:
    codes = set(uow.session.scalars(
        select(TerritoryNode.code).where(TerritoryNode.parent_code == parent_code)))
    aliases = uow.session.scalars(
        select(TerritoryCodeAlias.old_code).where(TerritoryCodeAlias.old_code.like(f"{parent_code}___")))
    return codes | set(aliases)  # an old code is never handed out again


def _code_taken(uow: UnitOfWork, code: str) -> bool:
    session = uow.session
    return bool(
        session.scalar(select(TerritoryNode.id).where(TerritoryNode.code == code))
        or session.scalar(select(TerritoryCodeAlias.node_id).where(TerritoryCodeAlias.old_code == code))
    )


def get_node(uow: UnitOfWork, code: str) -> dict:
    return render_one(uow, _visible_node(uow, code))


def create_node(uow: UnitOfWork, payload: dict) -> dict:
    data = load(NodeCreateSchema, payload)
    level, parent_code = data["level"], data["parent_code"]
    parent = None
    if level == "district" and not data["code"]:
        raise InvalidInput("code: a district needs its statistical code", field="code")
    if level != "district" and not parent_code:
        raise InvalidInput(f"parent_code: a {level} needs a parent", field="parent_code")
    rules.require_creator(uow.caller, level, parent_code, data["code"])
    if parent_code:
        parent = _as_rule_node(_visible_node(uow, parent_code, "parent_code"))
    rules.check_parent(level, parent)
    code = data["code"] or rules.next_child_code(parent.code, _child_codes(uow, parent.code))[0]
    rules.check_new_node(level, code, data["name"], parent)
    if _code_taken(uow, code):
        raise Conflict(f"code: {code} is already taken", field="code")
    node = TerritoryNode(code=code, name=data["name"].strip(), level=level,
                         parent_code=parent.code if parent else None, status="active")
    uow.session.add(node)
    uow.session.flush()
    uow.emit("membership.territory_node_created",
             {"code": code, "name": node.name, "level": level, "parent_code": node.parent_code},
             org_code=code)
    return render_one(uow, node)


def rename_node(uow: UnitOfWork, code: str, payload: dict) -> dict:
    data = load(NodeRenameSchema, payload)
    node = _visible_node(uow, code)
    rules.require_editor(uow.caller, node.level, node.code)
    new_name = data["name"].strip()
    if not new_name:
        raise InvalidInput("name: must not be blank", field="name")
    if new_name != node.name:
        old_name, node.name = node.name, new_name
        uow.emit("membership.territory_node_renamed",
                 {"code": node.code, "level": node.level, "old_name": old_name,
                  "new_name": new_name}, org_code=node.code)
    uow.session.flush()
    return render_one(uow, node)


def _listing(uow: UnitOfWork, query, query_args: dict) -> dict:
    after = decode_cursor(query_args["cursor"])
    if after is not None:
        query = query.where(TerritoryNode.code > str(after))
    if not query_args.get("include_merged"):
        query = query.where(TerritoryNode.status == "active")
    if query_args.get("level"):
        query = query.where(TerritoryNode.level == query_args["level"])
    limit = query_args["limit"]
    rows = list(uow.session.scalars(query.order_by(TerritoryNode.code).limit(limit + 1)))
    return page_of(rows, limit, key=lambda node: node.code, render=render)


def list_nodes(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(NodeListQuerySchema, query_args)
    scope = uow.caller.scope if uow.caller else None
    require_scope(uow.caller, scope or "")
    query = select(TerritoryNode).where(TerritoryNode.code.like(f"{scope}%"))
    if args["parent_code"]:
        _visible_node(uow, args["parent_code"], "parent_code")
        query = query.where(TerritoryNode.parent_code == args["parent_code"])
    if args["q"]:
        query = query.where(TerritoryNode.name.contains(args["q"], autoescape=True))
    return _listing(uow, query, args)


def list_children(uow: UnitOfWork, code: str, query_args: dict) -> dict:
    args = load(DescendantsQuerySchema, query_args)
    node = _visible_node(uow, code)
    return _listing(uow, select(TerritoryNode).where(TerritoryNode.parent_code == node.code), args)


def list_descendants(uow: UnitOfWork, code: str, query_args: dict) -> dict:
    args = load(DescendantsQuerySchema, query_args)
    node = _visible_node(uow, code)
    query = select(TerritoryNode).where(TerritoryNode.code.like(f"{node.code}_%"))
    return _listing(uow, query, args)


def merge_communities(uow: UnitOfWork, payload: dict) -> dict:
    data = load(MergeSchema, payload)
    session = uow.session
    surviving = _visible_node(uow, data["surviving_code"], "surviving_code")
    absorbed = _visible_node(uow, data["absorbed_code"], "absorbed_code")
    for node in (surviving, absorbed):
        rules.require_editor(uow.caller, node.level, node.code)
    grids = list(session.scalars(
        select(TerritoryNode).where(TerritoryNode.parent_code == absorbed.code)))
    moves = rules.plan_merge(_as_rule_node(surviving), _as_rule_node(absorbed),
                             _child_codes(uow, surviving.code), [g.code for g in grids])
    by_code = {grid.code: grid for grid in grids}
    for old_code, new_code in moves[1:]:
        grid = by_code[old_code]
        session.add(TerritoryCodeAlias(old_code=old_code, node_id=grid.id, reason="merge"))
        grid.code, grid.parent_code = new_code, surviving.code
    absorbed.status, absorbed.merged_into = "merged", surviving.code
    session.flush()
    uow.emit("membership.communities_merged", {
        "surviving_code": surviving.code, "absorbed_code": absorbed.code,
        "moves": [{"old_code": old, "new_code": new} for old, new in moves],
    }, org_code=surviving.code)
    return {"surviving": render(surviving), "absorbed": render(absorbed),
            "moves": [{"old_code": old, "new_code": new} for old, new in moves]}


def count_nodes(uow: UnitOfWork) -> dict:
    rows = uow.session.execute(
        select(TerritoryNode.level, func.count()).group_by(TerritoryNode.level)).all()
    return dict(rows)


def existing_codes(uow: UnitOfWork) -> set[str]:
    return set(uow.session.scalars(select(TerritoryNode.code)))
