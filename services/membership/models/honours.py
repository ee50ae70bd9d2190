"""Honours 荣誉: the titles assessments granted, on the holder's record."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.membership.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class Honour(Base):
    """A title granted by assessments (``assessments.title_granted``), once per title
    (``title_id`` is unique), on its holder: a community (``holder_ref`` its code), a household,
    a resident, a volunteer or a party member (membership's id). ``resident_id`` is the person
    behind a resident, volunteer or party-member holder, so the resident's record shows all of
    theirs. Withdrawal marks it revoked; it is never deleted."""

    __tablename__ = "honours"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int] = mapped_column(Integer, unique=True)  # assessments' title
    kind: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    holder_kind: Mapped[str] = mapped_column(String(20))
    holder_ref: Mapped[str] = mapped_column(String(18), index=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # where the holder lies
    resident_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    household_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    granted_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # None: revoked first
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
