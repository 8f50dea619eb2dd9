"""An event as a process sends it to its sockets."""

from __future__ import annotations

from typing import Any

from .streams import StoredEvent

Message = dict[str, Any]


class Frame:
    """One event as this process sends it; each wire format is built at most once."""

    __slots__ = ("_topic_message", "body", "offset", "topic", "type")

    def __init__(self, *, topic: str, offset: int, type: str, body: str) -> None:
        self.topic = topic
        self.offset = offset
        self.type = type
        self.body = body
        self._topic_message: Message | None = None

    @classmethod
    def of(cls, stored: StoredEvent) -> Frame:
        """The frame of a stored event."""
        return cls(topic=stored.topic, offset=stored.offset, type=stored.type, body=stored.body)

    @property
    def body_message(self) -> Message:
        """The event body alone, as the seed endpoints send it."""
        return {"type": "websocket.send", "text": self.body}

    @property
    def topic_message(self) -> Message:
        """The event wrapped with its topic and offset, as the multiplexed socket sends it."""
        if self._topic_message is None:
            text = (
                f'{{"type":"event","topic":"{self.topic}","offset":{self.offset},'
                f'"event":{self.body}}}'
            )
            self._topic_message = {"type": "websocket.send", "text": text}
        return self._topic_message
