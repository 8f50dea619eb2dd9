"""Writes to accounts: sign-up and role grants."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from tidewire.text import InvalidText, clean_text

from .roles import RECORD_EDIT_PERMISSIONS, RECORD_EDITORS, Role


def group_ensure(*, name: str, permissions: tuple[str, ...] = ()) -> Group:
    """Create a group if missing and give it the named permissions (codenames)."""
    group, _ = Group.objects.get_or_create(name=name)
    if permissions:
        group.permissions.add(*Permission.objects.filter(codename__in=permissions))
    return group


def user_grant_role(*, user: User, role: Role) -> None:
    """Give a user a role; super admins become superusers and staff."""
    if role is Role.SUPER_ADMIN:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    else:
        user.groups.add(group_ensure(name=role.value))


def user_grant_record_editing(*, user: User) -> None:
    """Let a user create, edit and delete user records."""
    user.groups.add(group_ensure(name=RECORD_EDITORS, permissions=RECORD_EDIT_PERMISSIONS))


@transaction.atomic
def user_sign_up(*, username: str, email: str, password: str) -> User:
    """Create a marketplace user (the role anyone may sign up for).

    ValueError for a username or e-mail with control or direction characters:
    the sign-up form refuses them first; this holds for every other caller.
    """
    for field, value in (("username", username), ("email", email)):
        try:
            clean_text(value)
        except InvalidText as error:
            raise ValueError(f"{field} {error}") from None
    user = User.objects.create_user(username=username, email=email, password=password)
    user_grant_role(user=user, role=Role.MARKETPLACE_USER)
    return user
