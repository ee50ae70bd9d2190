"""The events the tickets service produces: one module per area (importing registers them)."""
