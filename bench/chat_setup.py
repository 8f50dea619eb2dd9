"""Tidewire's side of the chat benchmark's data: `python -m bench.chat_setup --conversations N`.

Run by the target with its own settings (DJANGO_SETTINGS_MODULE, DATABASE_URL)
before the server starts. Creates N sellers with a listing each and N buyers who
open one conversation each, through the apps' services, and writes to
$BENCH_WORKDIR/chat.json what the clients need: per conversation its id and, per
participant (buyer first), the socket's `?token=`. Users get no usable password
and their access tokens are minted as a login would mint them
(`RevocableRefreshToken`, with the revocation claim), so the setup does not pay
for a thousand password hashes.
"""

from __future__ import annotations

import argparse
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import django

PRICE = Decimal("10")


def _participant(user: Any) -> dict[str, Any]:
    from apps.accounts.tokens import RevocableRefreshToken

    token = str(RevocableRefreshToken.for_user(user).access_token)
    return {"user": user.pk, "query": f"?token={quote(token)}", "headers": {}}


def create_conversations(count: int) -> list[dict[str, Any]]:
    """`count` conversations between users of their own: [{"id", "participants"}]."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from apps.accounts.roles import Role
    from apps.accounts.services import user_grant_role
    from apps.chat.services import conversation_open

    try:
        from apps.listings.services import listing_create
    except ImportError:  # no listings services on main yet: the model, as the chat tests do
        from apps.listings.models import Listing

        listing_create = Listing.objects.create

    user_model = get_user_model()

    def member(username: str) -> Any:
        # What user_sign_up does, less the password hash: no password, the marketplace role.
        user = user_model.objects.create_user(username=username, password=None)
        user_grant_role(user=user, role=Role.MARKETPLACE_USER)
        return user

    rows = []
    with transaction.atomic():
        for index in range(count):
            seller, buyer = member(f"bench-seller-{index}"), member(f"bench-buyer-{index}")
            listing = listing_create(
                seller=seller, title=f"Item {index}", description="", price=PRICE
            )
            conversation, _ = conversation_open(listing_id=listing.pk, buyer=buyer)
            rows.append(
                {
                    "id": conversation.pk,
                    "participants": [_participant(buyer), _participant(seller)],
                }
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.chat_setup")
    parser.add_argument("--conversations", type=int, required=True)
    args = parser.parse_args(argv)
    django.setup()
    rows = create_conversations(args.conversations)
    out = Path(os.environ["BENCH_WORKDIR"]) / "chat.json"
    out.write_text(json.dumps({"conversations": rows}))
    print(f"{len(rows)} conversations written to {out}")


if __name__ == "__main__":
    main()
