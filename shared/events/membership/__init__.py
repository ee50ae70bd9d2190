"""Events produced by the membership service, one module per area."""
from shared.events.membership import (
    imports,  # noqa: F401
    organisations,  # noqa: F401
    party_members,  # noqa: F401
    residents,  # noqa: F401
    territory,  # noqa: F401  (registers the event types)
    volunteers,  # noqa: F401
)
