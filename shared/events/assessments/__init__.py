"""The events the assessments service produces: one module per area (importing registers them)."""
