"""The events the learning service produces: one module per area (importing registers them)."""
import shared.events.learning.attendance  # noqa: F401  (attendance, completion, certificates)
import shared.events.learning.courses  # noqa: F401  (courses and sessions: created, scheduled, held)
import shared.events.learning.enrolments  # noqa: F401  (enrolment, waitlist, targeted offers)
import shared.events.learning.party_study  # noqa: F401  (study sessions held, yearly quotas met)
