"""The chat's kind of notification: a message for you (in the bell, and by email when missed).

Its own module: chat services (the bell) and chat emails (which a Celery worker
loads without the services) both need it registered.
"""

from apps.notifications.kinds import register_kind

CHAT_MESSAGE = register_kind("chat_message", "Chat messages")
