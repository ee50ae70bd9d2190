"""Events produced by the membership service, one module per area."""
from shared.events.membership import territory  # noqa: F401  (registers the event types)
