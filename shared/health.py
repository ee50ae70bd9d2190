"""The ``health`` RPC every service answers, used by the gateway's /healthz."""
from __future__ import annotations

from sqlalchemy import text

from shared.entrypoints import rpc


class HealthMixin:
    """Mix into a service class that has ``db = Database(...)``."""

    @rpc
    def health(self) -> dict:
        self.db.session.execute(text("SELECT 1"))
        return {"status": "ok", "service": self.name}
