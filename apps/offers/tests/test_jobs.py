"""The expiry job is declared with the core's jobs and marks due offers expired."""

import pytest

from apps.offers.models import Offer
from tidewire.jobs import get_job

pytestmark = pytest.mark.django_db


def test_expire_offers_is_a_periodic_job_that_expires_due_offers(clock, offer):
    job = get_job("expire_offers")
    assert job.every == 60
    assert job.function() == {"expired": 0}
    clock.advance(48 * 3600)
    assert job.function() == {"expired": 1}
    assert Offer.objects.get(pk=offer.pk).status == "expired"
