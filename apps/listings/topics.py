"""Topics of the listings app and who may follow them."""

from tidewire.topics import register_topic

LISTINGS_TOPIC = "listings.all"  # every listing created, changed or deleted (the browse page)


def listing_topic(listing_id: int) -> str:
    """The topic of one listing's changes (its card at the top of a conversation)."""
    return f"listings.listing.{listing_id}"


register_topic(
    r"listings\.all",
    may_join=lambda user, match: user.is_authenticated,  # listings are public to members
    doc="Every listing created, changed or deleted (listing_created, _updated, _deleted).",
)
register_topic(
    r"listings\.listing\.(\d+)",
    may_join=lambda user, match: user.is_authenticated,
    doc="One listing's creation, changes and deletion (listing_created, _updated, _deleted).",
)
