"""The chat benchmark's servers: Tidewire's chat socket and seed 003's ChatConsumer.

Each is a target of targets.py (fresh workspace, private Redis, free port) whose
last setup command creates the run's users and conversations before the server
starts and writes their credentials to $BENCH_WORKDIR/chat.json: Tidewire with
bench/chat_setup.py, the seeds with the baseline project's `manage.py seed_chat`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .targets import (
    BASELINE,
    BIN_DIR,
    MIGRATE,
    PGDB,
    POSTGRES_SERVER,
    TIDEWIRE,
    TIDEWIRE_TWO_PROCESSES,
    Target,
    no_credentials,
)


@dataclass(frozen=True)
class ChatTarget:
    """A server and how it creates the run's conversations (`--conversations N` is added)."""

    target: Target
    seed: tuple[str, ...]
    wire: str  # the frames it speaks: "tidewire" or "seed"

    def prepared(self, conversations: int) -> Target:
        """The target with the conversations' setup as its last setup command."""
        command = (*self.seed, "--conversations", str(conversations))
        return replace(self.target, setup=(*self.target.setup, command))


_TIDEWIRE_SEED = (str(BIN_DIR / "python"), "-m", "bench.chat_setup")
_CHAT_TIDEWIRE = replace(TIDEWIRE, setup=(MIGRATE,), credentials=no_credentials)
_SEED_REDIS = replace(
    BASELINE,
    name="seed-redis",
    description="seed 003: ChatConsumer on Daphne, database_sync_to_async, RedisChannelLayer",
    setup=(MIGRATE,),
)

CHAT_TARGETS = {
    "tidewire": ChatTarget(_CHAT_TIDEWIRE, _TIDEWIRE_SEED, "tidewire"),
    "seed-memory": ChatTarget(
        replace(
            _SEED_REDIS,
            name="seed-memory",
            description="seed 003 as above on the in-memory channel layer (its diagram's)",
            environment=lambda ws: {
                **BASELINE.environment(ws),
                "BASELINE_CHANNEL_LAYER": "memory",
            },
            uses_redis=False,
        ),
        ("manage.py", "seed_chat"),
        "seed",
    ),
    "seed-redis": ChatTarget(_SEED_REDIS, ("manage.py", "seed_chat"), "seed"),
    "tidewire-embedded": ChatTarget(
        replace(
            _CHAT_TIDEWIRE,
            name="tidewire-embedded",
            description="Tidewire's chat as `make run` serves it: no Redis, in-process layer",
            uses_redis=False,  # REDIS_URL is then empty: the embedded default
        ),
        _TIDEWIRE_SEED,
        "tidewire",
    ),
    "tidewire-2p": ChatTarget(
        replace(
            _CHAT_TIDEWIRE,
            name="tidewire-2p",
            description="Tidewire's chat in two server processes sharing one Redis",
            server=TIDEWIRE_TWO_PROCESSES.server,
        ),
        _TIDEWIRE_SEED,
        "tidewire",
    ),
    "tidewire-pg": ChatTarget(
        replace(
            _CHAT_TIDEWIRE,
            name="tidewire-pg",
            description="Tidewire's chat on PostgreSQL",
            environment=lambda ws: {
                **TIDEWIRE.environment(ws),
                "DATABASE_URL": f"{POSTGRES_SERVER}/tidewire_bench_{ws.port}",
            },
            setup=((*PGDB, "create"), MIGRATE),
            teardown=((*PGDB, "drop"),),
        ),
        _TIDEWIRE_SEED,
        "tidewire",
    ),
}
DEFAULT_TARGETS = "tidewire,seed-memory,seed-redis"
SEEDS = ("seed-memory", "seed-redis")
