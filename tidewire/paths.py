"""A request's path below the prefix it is mounted at, as URL resolvers take it."""


def path_below(path: str, prefix: str) -> str:
    """`path` without `prefix`, starting with "/".

    HTTP passes Django's script prefix (FORCE_SCRIPT_NAME or the ASGI root_path),
    sockets the ASGI root_path, as Channels' URLRouter did.
    """
    below = path.removeprefix(prefix)
    return below if below.startswith("/") else "/" + below
