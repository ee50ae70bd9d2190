"""The Open311 GeoReport v2 surface of the gateway: its own HTTP entrypoint, formats and errors."""
