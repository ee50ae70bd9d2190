"""Operating the gateway: health, the OpenAPI document, correlation ids."""
import re
import time

import pytest

from tests.e2e.conftest import (
    COMMUNITY_A1,
    DISTRICT,
    STREET_A,
    assert_problem,
    db_snapshot,
    outbox_events,
)

pytestmark = pytest.mark.broker

NODES = "/api/v1/territory/nodes"
OPENAPI_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_health_reports_the_broker_and_every_service(api, assessments_container):
    response = api.get("/healthz")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"broker": "ok", "status": "ok",
                               "services": {"membership": "ok", "tickets": "ok",
                                            "learning": "ok", "security": "ok",
                                            "assessments": "ok"}}


def test_health_is_degraded_with_membership_stopped(api, membership_container):
    membership_container.stop()
    started = time.monotonic()
    response = api.get("/healthz", timeout=10)  # it asks each service with a 2 s deadline
    assert time.monotonic() - started < 6
    assert response.status_code == 503, response.text
    report = response.json()
    assert report["status"] == "degraded"
    assert report["broker"] == "ok"
    assert report["services"]["membership"].startswith("down"), report


@pytest.mark.parametrize("db_backend", ["sqlite"])  # about the broker, not the database
def test_a_call_to_a_stopped_service_is_a_503_and_is_not_carried_out_later(
        api, auth, seeded, membership_container, assessments_container, container_factory,
        platform_config):
    from services.membership.service import MembershipService

    membership_container.stop()
    refused = api.post(NODES, json={"level": "community", "parent_code": STREET_A,
                                    "name": "迟到社区"},
                       headers=auth("street_admin", STREET_A), timeout=15)
    assert_problem(refused, 503, slug="unavailable")

    # the service comes back: what the caller was told had failed must not happen now
    container_factory(MembershipService, platform_config).start()
    assert api.get("/healthz", timeout=10).status_code == 200
    time.sleep(1)
    names = [row[1] for row in db_snapshot(seeded)["nodes"]]
    assert "迟到社区" not in names, "a request answered 503 was carried out afterwards"


def _gateway_routes(gateway_container):
    """(OpenAPI path, method) of every HTTP entrypoint the running gateway serves."""
    from gateway.http import ApiRoute

    routes = set()
    for entrypoint in gateway_container.entrypoints:
        if isinstance(entrypoint, ApiRoute):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", entrypoint.url)
            for method in entrypoint.method.split(","):
                routes.add((path, method.strip().lower()))
    return routes


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_openapi_document_describes_every_route(api, gateway_container):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    doc = response.json()

    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"]
    assert set(doc) <= {"openapi", "info", "servers", "paths", "components", "security", "tags",
                        "externalDocs"}

    served = _gateway_routes(gateway_container)
    documented = {(path, method) for path, item in doc["paths"].items()
                  for method in item if method in OPENAPI_METHODS}
    assert served == documented
    # the routes the issue names, by name
    assert {("/api/v1/territory/nodes", "get"), ("/api/v1/territory/nodes", "post"),
            ("/api/v1/territory/nodes/{code}", "get"), ("/api/v1/territory/nodes/{code}", "patch"),
            ("/api/v1/territory/nodes/{code}/children", "get"),
            ("/api/v1/territory/merges", "post"), ("/healthz", "get"),
            ("/api/v1/openapi.json", "get")} <= documented

    components = doc["components"]
    schemas = components["schemas"]
    assert {"Node", "Problem"} <= set(schemas)
    assert set(schemas["Problem"]["required"]) >= {"type", "title", "status", "detail"}
    assert "field" in schemas["Problem"]["properties"]
    assert {"code", "name", "level", "parent_code", "status"} <= set(schemas["Node"]["properties"])
    security = components["securitySchemes"]
    assert security["bearer"] == {**security["bearer"], "type": "http", "scheme": "bearer"}
    assert security["apiKey"] == {**security["apiKey"], "type": "apiKey", "in": "header",
                                  "name": "X-API-Key"}

    # every reference resolves, inside this document
    for ref in set(_refs(doc)):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, f"dangling {ref}"

    operation_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            if method not in OPENAPI_METHODS:
                continue
            where = f"{method.upper()} {path}"
            operation_ids.append(operation["operationId"])
            assert operation["responses"], where
            for status, answer in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d|default", status), where
                assert "description" in answer, where
                if status.startswith(("4", "5")) and "content" in answer and path != "/healthz":
                    assert "application/problem+json" in answer["content"], where
            names = re.findall(r"\{(\w+)\}", path)
            path_params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert path_params == set(names), where
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in {"path", "query", "header", "cookie"}, where
                assert "schema" in parameter or "content" in parameter, where
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(security), where
            if path.startswith("/api/v1/territory"):
                assert operation["security"], f"{where} needs credentials"
    assert len(operation_ids) == len(set(operation_ids)), "operationIds are unique"
    assert doc["paths"]["/healthz"]["get"]["security"] == []
    # health answers 503 with its own report (JSON), not a problem document
    degraded = doc["paths"]["/healthz"]["get"]["responses"]["503"]["content"]
    assert degraded == {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}

    create = doc["paths"]["/api/v1/territory/nodes"]["post"]
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schemas[body_ref.rsplit("/", 1)[1]]
    assert {"level", "name"} <= set(body["required"])
    assert {"parent_code", "code"} <= set(body["properties"])
    assert "201" in create["responses"]
    listing = doc["paths"]["/api/v1/territory/nodes"]["get"]
    query = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert {"cursor", "limit", "level", "parent_code", "q"} <= query
    children = doc["paths"]["/api/v1/territory/nodes/{code}/children"]["get"]
    assert {"cursor", "limit"} <= {p["name"] for p in children["parameters"]}


CORRELATED = re.compile(r"[A-Za-z0-9._-]{1,64}")


def test_every_response_carries_a_correlation_id_and_echoes_the_clients(api, auth, seeded,
                                                                      assessments_container):
    admin = auth("district_admin", DISTRICT)
    requests_ = [
        ("ok", "GET", f"{NODES}/{STREET_A}", admin, None),
        ("created", "POST", NODES, admin, {"level": "grid", "parent_code": COMMUNITY_A1,
                                           "name": "g"}),
        ("health", "GET", "/healthz", {}, None),
        ("openapi", "GET", "/api/v1/openapi.json", {}, None),
        ("401", "GET", NODES, {}, None),
        ("403", "PATCH", f"{NODES}/{DISTRICT}", admin, {"name": "x"}),
        ("404", "GET", f"{NODES}/350502009", admin, None),
        ("422", "GET", NODES, admin, None),
    ]
    seen = set()
    for name, method, url, headers, body in requests_:
        params = {"limit": 0} if name == "422" else None
        response = api.request(method, url, headers=headers, json=body, params=params)
        generated = response.headers.get("X-Correlation-ID")
        assert generated and CORRELATED.fullmatch(generated), (name, response.headers)
        seen.add(generated)
        mine = f"client-{name}-1.2_3"
        echoed = api.request(method, url, json=body, params=params,
                             headers={**headers, "X-Correlation-ID": mine})
        assert echoed.headers.get("X-Correlation-ID") == mine, name
        if echoed.headers["Content-Type"].startswith("application/problem+json"):
            assert echoed.json()["correlation_id"] == mine
    assert len(seen) == len(requests_), "each request gets its own id"

    # a value that is not a safe id is replaced, not echoed
    for bad in ("x" * 65, "has space", "semi;colon", "<script>"):
        response = api.get(f"{NODES}/{STREET_A}", headers={**admin, "X-Correlation-ID": bad})
        assert response.status_code == 200
        assert response.headers["X-Correlation-ID"] != bad
        assert CORRELATED.fullmatch(response.headers["X-Correlation-ID"])


def test_the_correlation_id_travels_with_the_change_into_its_event(api, auth, seeded):
    response = api.patch(f"{NODES}/{COMMUNITY_A1}", json={"name": "西关新社区"},
                         headers={**auth("street_admin", STREET_A),
                                  "X-Correlation-ID": "trace-rename-42"})
    assert response.status_code == 200
    from sqlalchemy import select

    from services.membership.models import OutboxMessage

    with seeded.session_factory() as session:
        headers = session.scalar(select(OutboxMessage.headers).where(
            OutboxMessage.event_type == "membership.territory_node_renamed"))
    assert headers["nameko.correlation_id"] == "trace-rename-42"
    assert headers["nameko.principal"] == "test-street_admin"
    assert outbox_events(seeded, "membership.territory_node_renamed")[0]["actor"] == \
        "test-street_admin"


def test_unknown_routes_and_wrong_methods_carry_a_correlation_id_too(api):
    for method, url in (("GET", "/api/v1/nothing-here"), ("DELETE", NODES)):
        response = api.request(method, url, headers={"X-Correlation-ID": "lost-request-7"})
        assert response.status_code in (404, 405)
        assert response.headers.get("X-Correlation-ID") == "lost-request-7", response.headers
        assert response.json().get("correlation_id") == "lost-request-7"
