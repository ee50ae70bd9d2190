"""Marshmallow schemas of membership's RPC payloads and results, one module per area (the
gateway documents its routes with them)."""
