"""The events the security service produces: one module per area (importing registers them)."""
