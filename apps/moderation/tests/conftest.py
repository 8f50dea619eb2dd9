"""The chat's people and conversation (a seller, a buyer and a stranger), shared."""

from apps.chat.tests.conftest import buyer, conversation, listing, seller, stranger  # noqa: F401
