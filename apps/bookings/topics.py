"""Topics of the bookings app and who may follow them."""

from apps.accounts.roles import is_super_admin
from tidewire.topics import register_topic

DASHBOARD_TOPIC = "bookings.dashboard"  # every business and reservation change (super admins)


def business_topic(business_id: int) -> str:
    """One business's reservations (and its own changes): its owner and super admins."""
    return f"bookings.business.{business_id}"


def _owner_or_super_admin(user, match) -> bool:
    from .models import Business

    digits = match[1]
    # Beyond any database id: refused (4403), not an error (1011); the length first,
    # since int() refuses more than 4,300 digits.
    if len(digits) > 19 or int(digits) >= 2**63:
        return False
    business_id = int(digits)
    if is_super_admin(user):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and Business.objects.filter(pk=business_id, owner_id=user.pk).exists()
    )


register_topic(
    r"bookings\.dashboard",
    may_join=lambda user, match: is_super_admin(user),
    doc="Every business and reservation change (business_*, reservation_*): super admins only.",
)
register_topic(
    r"bookings\.business\.(\d+)",
    may_join=_owner_or_super_admin,
    doc="One business's reservation changes (reservation_*) and its own (business_updated, "
    "_deleted): its owner and super admins.",
)
