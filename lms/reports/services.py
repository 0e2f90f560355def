"""The reports area's only writer: the programme's targets per province and regency/city.

Reports otherwise only read. `set_target` is called by the targets form (an admin) and by
`flask lms set-target` (the operator at the server, recorded with no actor); both get the same
checks and one transaction with its audit row (`report.target_set`).
"""

from __future__ import annotations

from sqlalchemy import select

from lms import audit, clock, regions
from lms.errors_domain import PermissionDenied, ServiceError
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.reports.models import RegionTarget

MAX_TARGET = 999_999_999


def is_known_region(code: str | None) -> bool:
    """A Kemendagri province code ("32") or regency/city code ("32.04") of the region list."""
    if not code:
        return False
    if regions.is_province(code):
        return True
    province, _, rest = code.partition(".")
    return bool(rest) and "." not in rest and regions.is_regency_of(code, province)


def _check_number(value, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TARGET:
        raise ServiceError(_l("Enter a whole number, 0 or more."), field)
    return value


def _note(code: str, before: dict | None, after: dict) -> str:
    """The audit log's one-line summary, e.g. "Jawa Barat (32): villages 100 → 120,
    facilitators — → 25"."""

    def show(value) -> str:
        return "—" if value is None else str(value)

    was = before or {"villages": None, "facilitators": None}
    return (f"{regions.name(code)} ({code}): villages {show(was['villages'])} → "
            f"{show(after['villages'])}, facilitators {show(was['facilitators'])} → "
            f"{show(after['facilitators'])}")


def set_target(actor, region_code: str, villages_target: int,
               facilitators_target: int | None = None) -> RegionTarget:
    """Set (or change) a region's targets. `actor` is an admin, or None for the command line."""
    if actor is not None and not getattr(actor, "is_admin", False):
        raise PermissionDenied(_l("Only an administrator can set the programme's targets."))
    code = (region_code or "").strip()
    if not is_known_region(code):
        raise ServiceError(_l("Unknown region: use the Kemendagri code of a province or a "
                              "regency/city, for example 32 or 32.04."), "region")
    villages = _check_number(villages_target, "villages_target")
    if villages is None:
        raise ServiceError(_l("Enter a whole number, 0 or more."), "villages_target")
    facilitators = _check_number(facilitators_target, "facilitators_target")
    target = db.session.scalar(select(RegionTarget).where(RegionTarget.region_code == code))
    before = None
    if target is None:
        target = RegionTarget(region_code=code)
        db.session.add(target)
    else:
        before = {"villages": target.villages_target, "facilitators": target.facilitators_target}
    after = {"villages": villages, "facilitators": facilitators}
    if before == after:
        return target
    target.villages_target = villages
    target.facilitators_target = facilitators
    target.updated_by_id = actor.id if actor is not None else None
    target.updated_at = clock.now()
    audit.record("report.target_set", actor=actor, target=f"region:{code}",
                 detail={"region": code, "before": before, "after": after,
                         "note": _note(code, before, after)})
    db.session.commit()
    return target
