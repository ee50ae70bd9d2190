"""Patrols 巡逻: teams (治安巡逻队, party-member volunteer patrols), their members (membership's
volunteers) and patrol points, shifts with the members who walk them, check-ins at points and
findings (each opens an incident)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.security.models.base import Base
from shared.events.outbox import utcnow
from shared.sqltypes import UtcDateTime


class PatrolTeam(Base):
    __tablename__ = "patrol_teams"
    __table_args__ = (UniqueConstraint("org_code", "name", name="uq_patrol_teams_org_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # a street or a community
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30), index=True)  # catalogue.PATROL_TEAM_KINDS
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PatrolTeamMember(Base):
    """A volunteer of membership on a team (the name is kept for the roster; no phone, no ID)."""

    __tablename__ = "patrol_team_members"
    __table_args__ = (UniqueConstraint("team_id", "volunteer_id",
                                       name="uq_patrol_team_members_team_volunteer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_teams.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    community_code: Mapped[str] = mapped_column(String(18))
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PatrolPoint(Base):
    __tablename__ = "patrol_points"
    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_patrol_points_team_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_teams.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    grid_code: Mapped[str] = mapped_column(String(18), index=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PatrolShift(Base):
    """A shift of a team over ``[starts_at, ends_at)``; completing it fixes each member's
    ``hours`` and credits them (once: the status moves by a conditional UPDATE)."""

    __tablename__ = "patrol_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_teams.id"), index=True)
    org_code: Mapped[str] = mapped_column(String(18), index=True)  # the team's
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    route: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # planned / completed
    hours: Mapped[float | None] = mapped_column(Float, nullable=True)  # per member, on completion
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PatrolShiftMember(Base):
    __tablename__ = "patrol_shift_members"
    __table_args__ = (UniqueConstraint("shift_id", "volunteer_id",
                                       name="uq_patrol_shift_members_shift_volunteer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_shifts.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))


class PatrolShiftPoint(Base):
    """A point planned on a shift's route, in the order walked."""

    __tablename__ = "patrol_shift_points"
    __table_args__ = (UniqueConstraint("shift_id", "point_id",
                                       name="uq_patrol_shift_points_shift_point"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_shifts.id"), index=True)
    point_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_points.id"))
    position: Mapped[int] = mapped_column(Integer)


class PatrolCheckIn(Base):
    __tablename__ = "patrol_check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_shifts.id"), index=True)
    point_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_points.id"))
    volunteer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PatrolFinding(Base):
    """Something a patrol found; it opened the incident ``incident_id`` (the incidents area)."""

    __tablename__ = "patrol_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(Integer, ForeignKey("patrol_shifts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(String(1000))
    point_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("patrol_points.id"),
                                                 nullable=True)
    grid_code: Mapped[str] = mapped_column(String(18), index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    reported_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
