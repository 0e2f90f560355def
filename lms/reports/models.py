"""What the programme aims for: a target per province or regency/city, set by administrators.

Written only by `lms.reports.services.set_target` (the targets form and `flask lms set-target`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db


class RegionTarget(db.Model):
    """The programme's target for one region: a province (``32``) or a regency/city (``32.04``),
    by its Kemendagri code. A regency's target is its own figure, not a share of its province's."""

    __tablename__ = "region_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13), unique=True)
    # Village libraries the programme wants facilitators to reach in the region.
    villages_target: Mapped[int] = mapped_column(Integer, default=0)
    # Certified facilitators wanted in the region (None: no target set).
    facilitators_target: Mapped[int | None] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now,
                                                 onupdate=clock.now)
