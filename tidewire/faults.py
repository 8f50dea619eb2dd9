"""Fault injection for the tests that prove nothing is lost when a process dies.

A server started with TIDEWIRE_FAULT=<point> exits at that point, at once and
without cleanup, as a killed process would. Unset (always, outside those tests),
a crash point is one dictionary lookup.
"""

import os

AFTER_COMMIT_BEFORE_PUBLISH = "after_commit_before_publish"
# The SMTP server answered "250 OK" to an email; the row is not marked sent yet.
EMAIL_SENT_BEFORE_MARK = "email_sent_before_mark"

# Exit status of a process that crashed on purpose, distinct from real failures.
CRASH_EXIT_STATUS = 70


def crash_point(name: str) -> None:
    """Exit the process here if the fault `name` was asked for."""
    if os.environ.get("TIDEWIRE_FAULT") == name:
        os._exit(CRASH_EXIT_STATUS)
