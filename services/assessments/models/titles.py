"""Titles and awards 荣誉称号: a nomination through review and public notice to granted (or
withdrawn), its steps, and the objections raised during its notice."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.assessments.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Title(Base):
    """One title of ``kind`` at ``level`` for ``year``, held by a community (``holder_ref`` its
    code), a household, a resident, a volunteer or a party member (membership's id).
    ``org_code`` is where the holder lies (the community, or the grid / branch code): scope
    follows it. ``live_key`` is unique while the title is live and cleared when it is
    withdrawn: one live title per holder, kind, level and year, even under concurrent
    nominations. A step bumps ``lock_version`` first (the portable row lock)."""

    __tablename__ = "titles"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # catalogue.TITLE_KINDS
    level: Mapped[str] = mapped_column(String(10))  # catalogue.TITLE_LEVELS
    year: Mapped[int] = mapped_column(Integer, index=True)
    holder_kind: Mapped[str] = mapped_column(String(20))  # catalogue.TITLE_HOLDER_KINDS
    holder_ref: Mapped[str] = mapped_column(String(18), index=True)
    holder_name: Mapped[str] = mapped_column(String(100))  # shown masked in public for people
    org_code: Mapped[str] = mapped_column(String(18), index=True)
    citation: Mapped[str] = mapped_column(Text)  # the reasons 推荐理由 / 事迹
    status: Mapped[str] = mapped_column(String(12), index=True)  # catalogue.TITLE_STATUSES
    nominated_on: Mapped[date] = mapped_column(Date)
    reviewed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_until: Mapped[date | None] = mapped_column(Date, nullable=True)  # inclusive
    granted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_step_on: Mapped[date] = mapped_column(Date)
    live_key: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class TitleStep(Base):
    """A title's history: one row per step (nominated, noticed, objected, objection_upheld,
    objection_dismissed, granted, withdrawn)."""

    __tablename__ = "title_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int] = mapped_column(Integer, ForeignKey("titles.id"), index=True)
    step: Mapped[str] = mapped_column(String(30))
    status_from: Mapped[str | None] = mapped_column(String(12), nullable=True)
    status_to: Mapped[str] = mapped_column(String(12))
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TitleObjection(Base):
    """An objection 异议 raised during a title's public notice; upheld, it withdraws the title;
    the title is not granted while one waits for a decision."""

    __tablename__ = "title_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int] = mapped_column(Integer, ForeignKey("titles.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[date] = mapped_column(Date)
    raised_by: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)  # upheld / dismissed
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
