"""What this process sends to its sockets: an event or a signal, each frame encoded once.

Words used across the core: a *frame* is one JSON message on a socket; an
*event* is durable (stored with an offset in its topic's stream); a *signal* is
ephemeral (typing, presence: delivered to whoever follows the topic now, never
stored). An `Outbound` carries one event or signal to every local socket that
follows its topic, and builds each frame format at most once: the *seed format*
(the body alone, as the seeds' fixed-topic endpoints send it) or the multiplexed
socket's wrapper, as JSON text and as complete WebSocket frame bytes.
"""

from __future__ import annotations

from .streams import StoredEvent
from .transport import encode_text_frame


class Outbound:
    """One event (with an offset) or signal (offset None) on its way to this process's sockets."""

    __slots__ = (
        "_seed_bytes",
        "_wrapped_bytes",
        "_wrapped_text",
        "body",
        "offset",
        "published_at",
        "topic",
        "type",
    )

    def __init__(
        self,
        *,
        topic: str,
        offset: int | None,
        type: str,
        body: str,
        published_at: float | None = None,
    ) -> None:
        self.topic = topic
        self.published_at = published_at  # wall clock at broadcast (metrics' latency)
        self.offset = offset
        self.type = type
        self.body = body
        self._wrapped_text: str | None = None
        self._seed_bytes: bytes | None = None
        self._wrapped_bytes: bytes | None = None

    @classmethod
    def of(cls, stored: StoredEvent) -> Outbound:
        """The outbound form of a stored event."""
        return cls(topic=stored.topic, offset=stored.offset, type=stored.type, body=stored.body)

    @property
    def is_signal(self) -> bool:
        return self.offset is None

    @property
    def wrapped_text(self) -> str:
        """The frame the multiplexed socket sends: the body with its topic (and offset)."""
        if self._wrapped_text is None:
            if self.offset is None:
                self._wrapped_text = (
                    f'{{"type":"signal","topic":"{self.topic}","event":{self.body}}}'
                )
            else:
                self._wrapped_text = (
                    f'{{"type":"event","topic":"{self.topic}","offset":{self.offset},'
                    f'"event":{self.body}}}'
                )
        return self._wrapped_text

    def text(self, *, seed_format: bool) -> str:
        """The frame's JSON text: the bare body (seed endpoints) or the wrapped one."""
        return self.body if seed_format else self.wrapped_text

    def frame_bytes(self, *, seed_format: bool) -> bytes:
        """The complete WebSocket frame, encoded once for every socket of this process."""
        if seed_format:
            if self._seed_bytes is None:
                self._seed_bytes = encode_text_frame(self.body.encode())
            return self._seed_bytes
        if self._wrapped_bytes is None:
            self._wrapped_bytes = encode_text_frame(self.wrapped_text.encode())
        return self._wrapped_bytes
