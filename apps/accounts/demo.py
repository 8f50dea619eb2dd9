"""Demo accounts, one per role, for development only."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from .roles import Role
from .services import user_grant_record_editing, user_grant_role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "tidewire-admin", Role.SUPER_ADMIN, "super admin: everything"),
    DemoAccount("owner", "tidewire-owner", Role.BUSINESS_OWNER, "business owner (two salons)"),
    DemoAccount("owner2", "tidewire-owner2", Role.BUSINESS_OWNER, "another business's owner"),
    DemoAccount("seller", "tidewire-seller", Role.MARKETPLACE_USER, "marketplace user (seller)"),
    DemoAccount("buyer", "tidewire-buyer", Role.MARKETPLACE_USER, "marketplace user (buyer)"),
)


def seed_accounts() -> int:
    """Create the missing demo accounts (passwords reset to the demo ones); returns how many."""
    created = 0
    for account in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            username=account.username, defaults={"email": f"{account.username}@tidewire.test"}
        )
        user.set_password(account.password)
        user.save()
        user_grant_role(user=user, role=account.role)
        user_grant_record_editing(user=user)
        created += was_created
    return created
