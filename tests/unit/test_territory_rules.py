"""The territory's rules, without a database or a broker."""
import pytest

from services.membership.domain import territory as rules
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, OutOfScope

DISTRICT = rules.Node("350502", "鲤城区", "district", None)
STREET = rules.Node("350502001", "江南街道", "street", "350502")
COMMUNITY = rules.Node("350502001001", "西关社区", "community", "350502001")
OTHER = rules.Node("350502001002", "永丰社区", "community", "350502001")


def caller(role, scope):
    return CallerContext("someone", (role,), scope)


@pytest.mark.parametrize("level, code, parent", [
    ("district", "350502", None),
    ("street", "350502001", DISTRICT),
    ("community", "350502001001", STREET),
    ("grid", "350502001001007", COMMUNITY),
])
def test_a_node_fits_under_the_right_parent_with_its_parents_code(level, code, parent):
    rules.check_new_node(level, code, "名", parent)


@pytest.mark.parametrize("level, code, parent, field", [
    ("street", "35050200", DISTRICT, "code"),           # 8 digits
    ("street", "350503001", DISTRICT, "code"),          # another district's prefix
    ("street", "350502000", DISTRICT, "code"),          # suffix 000
    ("community", "350502001001", DISTRICT, "parent_code"),  # skips a level
    ("grid", "350502001001001", None, "parent_code"),
    ("district", "350502", DISTRICT, "parent_code"),
    ("hamlet", "350502001", DISTRICT, "level"),
])
def test_a_node_that_does_not_fit_is_refused_naming_the_field(level, code, parent, field):
    with pytest.raises(InvalidInput) as refused:
        rules.check_new_node(level, code, "名", parent)
    assert refused.value.field == field


def test_a_blank_name_is_refused():
    with pytest.raises(InvalidInput) as refused:
        rules.check_new_node("community", "350502001003", "  ", STREET)
    assert refused.value.field == "name"


def test_a_merged_parent_takes_no_children():
    merged = rules.Node("350502001001", "西关社区", "community", "350502001", status="merged")
    with pytest.raises(Conflict):
        rules.check_new_node("grid", "350502001001001", "一", merged)


def test_next_child_codes_skip_taken_ones():
    taken = {"350502001001", "350502001002", "350502001004"}
    assert rules.next_child_code("350502001", taken, 3) == [
        "350502001003", "350502001005", "350502001006"]


def test_a_full_parent_has_no_code_left():
    taken = {f"350502{n:03d}" for n in range(1, 1000)}
    with pytest.raises(Conflict):
        rules.next_child_code("350502", taken)


def test_a_merge_maps_the_community_onto_the_survivor_and_recodes_its_grids():
    moves = rules.plan_merge(
        COMMUNITY, OTHER,
        surviving_children={"350502001001001", "350502001001002"},
        absorbed_children=["350502001002002", "350502001002001"],
    )
    assert moves == [
        ("350502001002", "350502001001"),
        ("350502001002001", "350502001001003"),
        ("350502001002002", "350502001001004"),
    ]


@pytest.mark.parametrize("surviving, absorbed, field", [
    (STREET, OTHER, "surviving_code"),
    (COMMUNITY, COMMUNITY, "absorbed_code"),
])
def test_a_merge_needs_two_distinct_communities(surviving, absorbed, field):
    with pytest.raises(InvalidInput) as refused:
        rules.plan_merge(surviving, absorbed, set(), [])
    assert refused.value.field == field


def test_a_community_cannot_be_merged_twice():
    merged = rules.Node("350502001002", "永丰社区", "community", "350502001", status="merged")
    with pytest.raises(Conflict):
        rules.plan_merge(COMMUNITY, merged, set(), [])


def test_a_street_admin_edits_beneath_the_street_only():
    admin = caller("street_admin", "350502001")
    rules.require_editor(admin, "community", "350502001001")
    with pytest.raises(Forbidden):
        rules.require_editor(admin, "street", "350502001")  # their own node
    with pytest.raises(OutOfScope):
        rules.require_editor(admin, "community", "350502002001")  # the street beside


def test_reading_roles_cannot_edit():
    for role in ("auditor", "grid_worker", "security_officer"):
        with pytest.raises(Forbidden):
            rules.require_editor(caller(role, "350502"), "community", "350502001001")


def test_community_workers_add_grids_to_their_community_and_nothing_else():
    worker = caller("community_worker", "350502001001")
    rules.require_creator(worker, "grid", "350502001001", None)
    with pytest.raises(Forbidden):
        rules.require_creator(worker, "community", "350502001", None)


def test_only_the_platform_adds_districts():
    with pytest.raises(OutOfScope):
        rules.require_creator(caller("district_admin", "350502"), "district", None, "350503")
    with pytest.raises(Forbidden):
        rules.require_creator(caller("district_admin", "350502"), "district", None, "350502")
    rules.require_creator(CallerContext.system(), "district", None, "350503")


def test_nobody_is_nobody():
    with pytest.raises(NotAuthenticated):
        rules.require_editor(None, "community", "350502001001")
