"""Topics of the chat app (filled in with the services)."""
