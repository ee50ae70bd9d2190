"""The territory tree: district 区 → street 街道 → community 社区 → grid 网格.

Codes are the national statistical division codes: 6 digits for a district, then 3 more for a
street, 3 more for a community, and a 3-digit grid number. A node's code always starts with
its parent's, so "is this inside that" is a prefix test, and scope checks need no lookups.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.context import CallerContext, require_role
from shared.errors import Conflict, Forbidden, InvalidInput, OutOfScope

LEVELS = ("district", "street", "community", "grid")
CHILD_LEVEL = {"district": "street", "street": "community", "community": "grid"}
PARENT_LEVEL = {child: parent for parent, child in CHILD_LEVEL.items()}
CODE_LENGTH = {"district": 6, "street": 9, "community": 12, "grid": 15}
SUFFIX_DIGITS = 3

EDITOR_ROLES = ("district_admin", "street_admin", "integration")
GRID_EDITOR_ROLES = (*EDITOR_ROLES, "community_worker")


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    level: str
    parent_code: str | None
    status: str = "active"

    @property
    def active(self) -> bool:
        return self.status == "active"


def level_of_code(code: str) -> str | None:
    for level, length in CODE_LENGTH.items():
        if len(code) == length:
            return level
    return None


def check_parent(level: str, parent: Node | None) -> None:
    """Refuse a parent that cannot hold a node of ``level``; ``parent`` is None for a district."""
    if level not in LEVELS:
        raise InvalidInput(f"level: must be one of {', '.join(LEVELS)}", field="level")
    if level == "district":
        if parent is not None:
            raise InvalidInput("parent_code: a district has no parent", field="parent_code")
        return
    if parent is None:
        raise InvalidInput(f"parent_code: a {level} needs a parent {PARENT_LEVEL[level]}",
                           field="parent_code")
    if parent.level != PARENT_LEVEL[level]:
        raise InvalidInput(
            f"parent_code: a {level} belongs under a {PARENT_LEVEL[level]}, "
            f"not a {parent.level}", field="parent_code")
    if not parent.active:
        raise Conflict(f"parent_code: {parent.code} was merged and takes no new children",
                       field="parent_code")


def check_new_node(level: str, code: str, name: str, parent: Node | None) -> None:
    """Refuse a node that would not fit the tree; ``parent`` is None only for a district."""
    check_parent(level, parent)
    if not name.strip():
        raise InvalidInput("name: must not be blank", field="name")
    if not code.isdigit() or len(code) != CODE_LENGTH[level]:
        raise InvalidInput(
            f"code: a {level} code has {CODE_LENGTH[level]} digits, got {code!r}", field="code")
    if parent is not None and (not code.startswith(parent.code)
                               or code[len(parent.code):] == "000"):
        raise InvalidInput(
            f"code: must be the parent's code {parent.code} followed by 001–999", field="code")


def next_child_code(parent_code: str, taken: set[str], count: int = 1) -> list[str]:
    """The first ``count`` free child codes under ``parent_code``."""
    free = []
    for number in range(1, 10 ** SUFFIX_DIGITS):
        candidate = f"{parent_code}{number:0{SUFFIX_DIGITS}d}"
        if candidate not in taken:
            free.append(candidate)
            if len(free) == count:
                return free
    raise Conflict(f"{parent_code} has no free child codes left", field="code")


def plan_merge(surviving: Node, absorbed: Node, surviving_children: set[str],
               absorbed_children: list[str]) -> list[tuple[str, str]]:
    """Where each node of the absorbed community goes: ``[(old_code, new_code), ...]``.

    The absorbed community itself maps onto the survivor; its grids get the survivor's next
    free grid numbers, in their old order.
    """
    for field, node in (("surviving_code", surviving), ("absorbed_code", absorbed)):
        if node.level != "community":
            raise InvalidInput(f"{field}: {node.code} is a {node.level}, not a community",
                               field=field)
        if not node.active:
            raise Conflict(f"{field}: {node.code} was already merged", field=field)
    if surviving.code == absorbed.code:
        raise InvalidInput("absorbed_code: a community cannot be merged into itself",
                           field="absorbed_code")
    new_codes = next_child_code(surviving.code, surviving_children, len(absorbed_children)) \
        if absorbed_children else []
    return [(absorbed.code, surviving.code), *zip(sorted(absorbed_children), new_codes, strict=True)]


def require_creator(caller: CallerContext | None, level: str, parent_code: str | None,
                    code: str | None) -> None:
    """Adding a node needs an administering role and its parent inside your scope; a district,
    having no parent, can only be added from above every district (the platform itself)."""
    require_role(caller, *(GRID_EDITOR_ROLES if level == "grid" else EDITOR_ROLES))
    target, field = (code, "code") if level == "district" else (parent_code, "parent_code")
    if not caller.can_see(target):
        raise OutOfScope(f"{field}: {target} lies outside your scope {caller.scope}", field=field)
    if level == "district" and target == caller.scope:
        raise Forbidden(f"code: {target} is your own node; it is administered from above",
                        field="code")


def require_editor(caller: CallerContext | None, level: str, code: str) -> None:
    """Only roles that administer the territory change it, and only beneath their own node.

    A street admin manages the communities and grids of their street (not the street itself);
    community workers may add grids to their community.
    """
    require_role(caller, *(GRID_EDITOR_ROLES if level == "grid" else EDITOR_ROLES))
    if not caller.can_see(code):
        raise OutOfScope(f"code: {code} lies outside your scope {caller.scope}", field="code")
    if code == caller.scope:
        raise Forbidden(f"code: {code} is your own node; it is administered from above",
                        field="code")
