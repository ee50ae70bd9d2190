"""Operations routes: health, the OpenAPI document, who am I."""
from kombu import Connection
from marshmallow import Schema, fields

from gateway.http import ANY_ROLE, json_response, route
from gateway.openapi import openapi_document
from shared.config import SERVICE_NAMES


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok or degraded"})
    broker = fields.String(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class OperationsRoutes:
    @route("GET", "/healthz", public=True, response=HealthSchema, tag="operations",
           also={503: "the broker or a service is down"}, summary="Broker and service health")
    def healthz(self, request):
        report = {"broker": _broker_health(self.config["AMQP_URI"]), "services": {}}
        for service in SERVICE_NAMES:
            try:
                getattr(self, service).health(timeout=2)
                report["services"][service] = "ok"
            except Exception as exc:  # any failure is "down"; the reason is for the operator
                report["services"][service] = f"down: {type(exc).__name__}"
        healthy = report["broker"] == "ok" and all(v == "ok" for v in report["services"].values())
        report["status"] = "ok" if healthy else "degraded"
        return json_response(report, status=200 if healthy else 503)

    @route("GET", "/api/v1/openapi.json", public=True, summary="This API, as OpenAPI 3",
           tag="operations")
    def openapi(self, request):
        return openapi_document()

    @route("GET", "/api/v1/me", roles=ANY_ROLE, summary="Who you are to the platform",
           tag="operations")
    def me(self, request):
        caller = self.caller
        return {"principal": caller.principal, "roles": list(caller.roles), "scope": caller.scope}


def _broker_health(amqp_uri: str) -> str:
    try:
        with Connection(amqp_uri, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
        return "ok"
    except Exception as exc:  # reported, not raised: health is a report
        return f"down: {type(exc).__name__}"
