"""WebSocket close codes Tidewire sends (4000-4999 is the range RFC 6455 leaves to applications).

They mirror HTTP statuses where one fits, so a client reads them without a table.
"""

UNAUTHORIZED = 4401  # no, a bad or an expired token: log in (or refresh) and reconnect
FORBIDDEN = 4403  # authenticated, but not allowed on this endpoint or topic
TOO_SLOW = 4008  # the client read too slowly; reconnect and resume from the last offset
RATE_LIMITED = 4429  # too many frames; wait, then reconnect
INTERNAL_ERROR = 1011  # the server could not do what the socket is for (a join failed); retry later
