"""An event as a process sends it to its sockets."""

from __future__ import annotations

from typing import Any

from .streams import StoredEvent
from .transport import text_frame

Message = dict[str, Any]


class Frame:
    """One event as this process sends it; each wire format is built at most once."""

    __slots__ = ("_body_wire", "_topic_text", "_topic_wire", "body", "offset", "topic", "type")

    def __init__(self, *, topic: str, offset: int, type: str, body: str) -> None:
        self.topic = topic
        self.offset = offset
        self.type = type
        self.body = body
        self._topic_text: str | None = None
        self._body_wire: bytes | None = None
        self._topic_wire: bytes | None = None

    @classmethod
    def of(cls, stored: StoredEvent) -> Frame:
        """The frame of a stored event."""
        return cls(topic=stored.topic, offset=stored.offset, type=stored.type, body=stored.body)

    @property
    def topic_text(self) -> str:
        """The event wrapped with its topic and offset, as the multiplexed socket sends it."""
        if self._topic_text is None:
            self._topic_text = (
                f'{{"type":"event","topic":"{self.topic}","offset":{self.offset},'
                f'"event":{self.body}}}'
            )
        return self._topic_text

    def text(self, *, body_only: bool) -> str:
        """The frame's JSON text: the bare body (seed endpoints) or the wrapped event."""
        return self.body if body_only else self.topic_text

    def wire(self, *, body_only: bool) -> bytes:
        """The complete WebSocket frame bytes, encoded once for every socket."""
        if body_only:
            if self._body_wire is None:
                self._body_wire = text_frame(self.body.encode())
            return self._body_wire
        if self._topic_wire is None:
            self._topic_wire = text_frame(self.topic_text.encode())
        return self._topic_wire
