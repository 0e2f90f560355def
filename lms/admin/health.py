"""What needs an administrator now, read for `/admin/` and the admin's Beranda alike: background
jobs failed or waiting, certificate requests waiting for a decision, plugins that did not load,
the storage folder when it cannot be written, the credential signing key when it cannot be
created, and the certificate's signatory placeholders
still in use."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.extensions import db


@dataclass
class SiteHealth:
    jobs_queued: int = 0
    jobs_failed: int = 0
    requests_waiting: int = 0
    broken_plugins: list = field(default_factory=list)  # plugin records failed or refused
    placeholders: list[str] = field(default_factory=list)  # CERT_* keys still as shipped
    placeholder_courses: list = field(default_factory=list)  # published courses printing them
    storage_problem: str | None = None  # the upload folder cannot be written: the reason
    key_problem: str | None = None  # the credential signing key cannot be created: the reason

    @property
    def needs_attention(self) -> bool:
        return bool(self.jobs_failed or self.requests_waiting or self.broken_plugins
                    or self.storage_problem or self.key_problem)


def site_health(app) -> SiteHealth:
    """Two queries (jobs by status, certificate requests waiting); plugins from the loader's
    records, the placeholders from the certificate set-ups (three more queries: the site-wide
    set-up, the courses' own and the published courses), the storage folder by writing and
    removing a probe file, the signing key by reading it (or creating it, as its first use would)."""
    from lms import storage
    from lms.certificates.models import CertificateRequest
    from lms.certificates.services import key_problem, placeholder_report
    from lms.jobs.models import FAILED, QUEUED, Job
    from lms.plugin_loader import plugin_records

    placeholders, courses = placeholder_report()
    jobs = dict(db.session.execute(
        select(Job.status, func.count()).where(Job.status.in_((QUEUED, FAILED)))
        .group_by(Job.status)).all())
    waiting = db.session.scalar(select(func.count()).select_from(CertificateRequest)
                                .where(CertificateRequest.status == "pending"))
    return SiteHealth(
        jobs_queued=jobs.get(QUEUED, 0), jobs_failed=jobs.get(FAILED, 0),
        requests_waiting=waiting or 0,
        broken_plugins=[r for r in plugin_records(app) if r.status in ("failed", "refused")],
        placeholders=placeholders, placeholder_courses=courses,
        storage_problem=storage.problem(storage.upload_dir()), key_problem=key_problem())
