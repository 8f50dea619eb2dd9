"""The stored side of streams: one counter per topic and the events themselves."""

from django.db import models


class Stream(models.Model):
    """A topic's event counter; its row lock orders concurrent writers."""

    topic = models.CharField(max_length=200, primary_key=True)
    last_offset = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.topic}@{self.last_offset}"


class Event(models.Model):
    """One event, written in the same transaction as the change it describes."""

    topic = models.CharField(max_length=200)
    offset = models.BigIntegerField()
    type = models.CharField(max_length=100)
    # The body as JSON text, encoded once at publish time and sent as stored.
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # for trimming

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "offset"], name="tidewire_event_topic_offset")
        ]

    def __str__(self) -> str:
        return f"{self.topic}#{self.offset} {self.type}"
