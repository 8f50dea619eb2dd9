from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.records.models import UserRecord

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    count = UserRecord.objects.count()
    assert count >= 5
    call_command("seed_demo", stdout=StringIO())
    assert UserRecord.objects.count() == count


def test_seed_demo_refuses_without_demo_setting(settings):
    settings.TIDEWIRE_DEMO = False
    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo")


def test_seed_demo_puts_a_countered_offer_in_the_demo_conversation():
    from apps.offers.models import Offer

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    [offer] = Offer.objects.all()
    assert (offer.buyer.username, offer.status, offer.turn) == ("buyer", "countered", "buyer")
