"""Seed 003's endpoint `/ws/chat/<conversation_id>/`: one conversation, frames bare."""

from __future__ import annotations

from typing import Any

from tidewire.consumers import FixedTopicConsumer

from .topics import conversation_topic


class ChatConsumer(FixedTopicConsumer):
    """A conversation's socket for its participants (others are closed 4403).

    Pushes `message`, `receipt` and `typing` frames and presence; takes the frames
    of apps/chat/frames.py, and seed 003's own `{"message": "Hello"}`.
    """

    def get_topic(self) -> str:
        return conversation_topic(self.scope["url_route"]["kwargs"]["conversation_id"])

    def normalize_frame(self, frame: Any) -> Any:
        """Seed 003 sends `{"message": "Hello"}`: a message without a client_id."""
        if (
            isinstance(frame, dict)
            and "type" not in frame
            and isinstance(frame.get("message"), str)
        ):
            return {"type": "message", "body": frame["message"]}
        return frame
