"""The offers' kind of notification: the other side moved (offered, countered, accepted...).

In-app only: the bell says it at once, and an offer waits 48 hours for its answer.
"""

from apps.notifications.kinds import register_kind
from apps.notifications.models import Channel

OFFER_MOVE = register_kind("offer", "Offers on listings", channels=(Channel.IN_APP,))
