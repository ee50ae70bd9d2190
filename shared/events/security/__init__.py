"""The events the security service produces: one module per area (importing registers them)."""
import shared.events.security.incidents  # noqa: F401  (incidents closed loop, grid workers)
import shared.events.security.mediation  # noqa: F401  (mediation cases: opened, sessions, closed)
import shared.events.security.patrols  # noqa: F401  (patrols: shifts planned, check-ins, findings, completed)
import shared.events.security.petitions  # noqa: F401  (petitions: registered, each step)
import shared.events.security.special_populations  # noqa: F401  (supervision files; floating checks)
