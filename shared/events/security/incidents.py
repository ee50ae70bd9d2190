"""Incident events: every step of an incident's closed loop, and grid workers assigned to grids.
None carries a name, a phone number or a description: consumers identify the incident by
``incident_id`` and ask for what they may see."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

GRID = validate.Regexp(r"^\d{6,18}$")
COMMUNITY = validate.Regexp(r"^\d{12}$")


class IncidentStep(Schema):
    incident_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    severity = fields.String(required=True)
    level = fields.String(required=True)
    grid_code = fields.String(required=True, validate=GRID)
    community_code = fields.String(required=True, validate=COMMUNITY)
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True, load_default=None)
    status = fields.String(required=True)
    at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True)


@event_type("security.incident_reported",
            "An incident 事件 was reported (by a grid worker, a patrol, a resident or a district "
            "system; `reporter_kind`), with its response level and due time. `source_type` / "
            "`source_id` say what found it (a patrol finding), when anything did.")
class IncidentReported(IncidentStep):
    reporter_kind = fields.String(required=True)
    source_type = fields.String(allow_none=True, load_default=None)
    source_id = fields.String(allow_none=True, load_default=None)


@event_type("security.incident_filed", "An incident was filed as a case 立案.")
class IncidentFiled(IncidentStep):
    pass


@event_type("security.incident_dismissed", "A reported incident was not filed 不予立案 (no case).")
class IncidentDismissed(IncidentStep):
    pass


@event_type("security.incident_dispatched",
            "A filed incident was dispatched 派遣 to a handling unit or department (`assignee_kind`, "
            "`assignee_ref`).")
class IncidentDispatched(IncidentStep):
    assignee_kind = fields.String(required=True)
    assignee_ref = fields.String(required=True)


@event_type("security.incident_started", "The handling unit started on the incident 处置.")
class IncidentStarted(IncidentStep):
    pass


@event_type("security.incident_handled", "The handling unit finished handling the incident.")
class IncidentHandled(IncidentStep):
    pass


@event_type("security.incident_fed_back", "The handling result was fed back 反馈.")
class IncidentFedBack(IncidentStep):
    pass


@event_type("security.incident_verified",
            "The handling was verified 核查 by someone other than the handler.")
class IncidentVerified(IncidentStep):
    pass


@event_type("security.incident_verification_rejected",
            "Verification failed: the incident went back to handling.")
class IncidentVerificationRejected(IncidentStep):
    pass


@event_type("security.incident_closed", "The incident was closed 结案 (the reporter may dispute "
            "within 7 days).")
class IncidentClosed(IncidentStep):
    pass


@event_type("security.incident_evaluated", "A closed incident was evaluated 评价 (`rating` 1–5).")
class IncidentEvaluated(IncidentStep):
    rating = fields.Integer(required=True)


@event_type("security.incident_disputed",
            "The reporter disputed the closure within 7 days: the incident is handled again.")
class IncidentDisputed(IncidentStep):
    pass


@event_type("security.incident_escalated",
            "An incident went to the street (`escalated_to`): a major one at once, a serious one "
            "when its due time passed before it was handled (`reason`: major / overdue).")
class IncidentEscalated(IncidentStep):
    escalated_to = fields.String(required=True)
    street_code = fields.String(required=True)
    reason = fields.String(required=True)


@event_type("security.grid_worker_assigned",
            "A grid worker (`worker_id`, a principal) was assigned to a grid 网格.")
class GridWorkerAssigned(Schema):
    assignment_id = fields.Integer(required=True)
    worker_id = fields.String(required=True)
    grid_code = fields.String(required=True, validate=GRID)
    since = fields.Date(required=True)


@event_type("security.grid_worker_unassigned",
            "A grid worker stopped holding a grid (`until`).")
class GridWorkerUnassigned(Schema):
    assignment_id = fields.Integer(required=True)
    worker_id = fields.String(required=True)
    grid_code = fields.String(required=True, validate=GRID)
    until = fields.Date(required=True)
