"""The bookings' kinds of notification, registered once.

Their own module: the services (the bell) and apps/bookings/emails.py (which a
Celery worker loads without the services) both need them registered.
"""

from apps.notifications.kinds import register_kind
from apps.notifications.models import Channel

# Super admins, in the bell: new businesses, reservations made or cancelled anywhere.
PLATFORM_ACTIVITY = register_kind(
    "booking_activity", "New businesses and reservations (super admins)", channels=(Channel.IN_APP,)
)
# An owner, in the bell and by email (one each, or a daily digest): their businesses' bookings.
OWNER_RESERVATIONS = register_kind("booking_reservation", "Reservations at your businesses")
# A customer (no user) by email: their reservation made or cancelled. Essential: the booking
# is theirs, and they have no account whose preferences could turn it off.
CUSTOMER_CONFIRMATION = register_kind(
    "booking_confirmation",
    "Reservation confirmations to customers",
    essential=True,
    channels=(Channel.EMAIL,),
)
