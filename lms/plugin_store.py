"""What the database remembers about plugins: whether an admin switched one off, and each plugin's
own settings (a small JSON value per key), so plugins need no tables or migrations of their own and
every app instance sees the same settings.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db


class PluginState(db.Model):
    """An admin's enable/disable choice; read at start-up (takes effect at the next start)."""

    __tablename__ = "plugin_states"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)


class PluginSetting(db.Model):
    __tablename__ = "plugin_settings"
    __table_args__ = (UniqueConstraint("plugin", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(80), index=True)
    key: Mapped[str] = mapped_column(String(120))
    value: Mapped[dict | list | str | int | float | bool | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now,
                                                 onupdate=clock.now)


# --- services ---------------------------------------------------------------------------------

def stored_states() -> dict[str, PluginState]:
    """Every admin choice by plugin name (one query)."""
    from sqlalchemy import select

    return {state.name: state for state in db.session.scalars(select(PluginState))}


def set_enabled(admin, name: str, enabled: bool) -> PluginState:
    """An admin switches a plugin on or off; it takes effect at the next start of the site.

    One transaction: the state and its audit record (`plugin.enabled` / `plugin.disabled`).
    """
    from lms.audit import record
    from lms.errors_domain import PermissionDenied
    from lms.i18n import lazy_gettext as _l

    if admin is None or not getattr(admin, "is_admin", False):
        raise PermissionDenied(_l("Only an administrator can enable or disable plugins."))
    try:
        state = db.session.get(PluginState, name)
        previous = None if state is None else state.enabled
        if state is None:
            state = PluginState(name=name)
            db.session.add(state)
        state.enabled = bool(enabled)
        state.changed_by_id = admin.id
        state.changed_at = clock.now()
        record("plugin.enabled" if enabled else "plugin.disabled", actor=admin,
               scope=f"plugin:{name}", target=f"plugin:{name}",
               detail={"enabled": bool(enabled), "previous": previous,
                       "takes_effect": "next start"})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return state
