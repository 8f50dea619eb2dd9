"""Topics of the records app and who may follow them."""

from tidewire.topics import register_topic

USERS_TOPIC = "records.users"  # every create, update and delete of a user record

register_topic(
    r"records\.users",
    may_join=lambda user, match: user.is_authenticated,  # records are readable by anyone logged in
    doc="All user record changes (user_update).",
)
