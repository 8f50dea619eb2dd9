"""The offers' kind of notification: the other side moved (offered, countered, accepted...)."""

from apps.notifications.kinds import register_kind

OFFER_MOVE = register_kind("offer", "Offers on listings")
