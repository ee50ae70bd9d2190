"""entrypoints of the tickets service, one module per area."""
