"""The events the learning service produces: one module per area (importing registers them)."""
