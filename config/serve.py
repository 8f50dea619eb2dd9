"""Serve Tidewire: `python -m config.serve [uvicorn args]` (tidewire/serve.py has the options).

Every way Tidewire is started (make run, the tests, the benchmark, deployments)
goes through tidewire.serve, so the options, and which proxies are trusted
(TIDEWIRE_TRUSTED_PROXIES), live in one place.
"""

import sys

from tidewire.serve import main as serve

APPLICATION = "config.asgi:application"


def main(argv: list[str] | None = None) -> None:
    """Serve this project's ASGI application with Tidewire's options."""
    serve([APPLICATION, *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
