"""The territory tree's tables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.membership.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class TerritoryNode(Base):
    """A district, street, community or grid. ``code`` is the statistical code (a prefix of
    every code beneath it); a merged community stays, marked ``merged`` into the survivor."""

    __tablename__ = "territory_nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12), index=True)
    parent_code: Mapped[str | None] = mapped_column(
        String(18), ForeignKey("territory_nodes.code", onupdate="CASCADE"), index=True, nullable=True
    )
    status: Mapped[str] = mapped_column(String(12), default="active")
    merged_into: Mapped[str | None] = mapped_column(String(18), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)


class TerritoryCodeAlias(Base):
    """A code that no longer names a node (a grid re-coded by a merge) and the node it became."""

    __tablename__ = "territory_code_aliases"

    old_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    node_id: Mapped[int] = mapped_column(Integer, ForeignKey("territory_nodes.id"))
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
