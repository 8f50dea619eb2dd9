"""The offers' periodic job (tidewire/jobs.py runs it)."""

from __future__ import annotations

from tidewire.jobs import periodic_job

from .services import offers_expire

# An offer is refused as expired the moment it is (services.offer_move); the job
# only makes that visible to people who do not touch it: a minute late is fine.
EXPIRE_EVERY = 60


@periodic_job("expire_offers", every=EXPIRE_EVERY)
def expire_offers() -> dict[str, int]:
    """Mark open offers past TIDEWIRE_OFFER_TTL_HOURS expired, each announced."""
    return {"expired": offers_expire()}
