"""Events: the envelope and registry, the outbox and its relay, the inbox, the dead letters.

Importing this package registers every event type the platform knows (one module per producer).
"""
import shared.events.volunteer_hours  # noqa: F401  (the volunteer-hours contract)
from shared.events import (
    assessments,  # noqa: F401  (registers assessments' event types)
    learning,  # noqa: F401  (registers learning's event types)
    membership,  # noqa: F401  (registers membership's event types)
    security,  # noqa: F401  (registers security's event types)
    tickets,  # noqa: F401  (registers tickets' event types)
)
