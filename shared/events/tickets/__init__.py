"""The events the tickets service produces: one module per area (importing registers them)."""
from shared.events.tickets import (
    assistance,  # noqa: F401  (registers the assistance case events)
    care,  # noqa: F401  (registers the care plan events)
    sla,  # noqa: F401  (registers the SLA clock's events)
    tickets,  # noqa: F401  (registers the ticket lifecycle events)
)
