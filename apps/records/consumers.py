"""The seed endpoint `/ws/user-updates/`: every user record change, in the seeds' format."""

from tidewire.consumers import FixedTopicConsumer

from .topics import USERS_TOPIC


class UserUpdatesConsumer(FixedTopicConsumer):
    topic = USERS_TOPIC
