"""Writes to accounts: sign-up, role grants, and ending a user's tokens and sockets."""

from __future__ import annotations

import logging

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import F
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from tidewire import close_codes
from tidewire.connections import close_user_sockets
from tidewire.text import InvalidText, clean_text

from .models import TokenGeneration
from .roles import RECORD_EDIT_PERMISSIONS, RECORD_EDITORS, Role

logger = logging.getLogger(__name__)


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


@transaction.atomic
def user_tokens_revoke(*, user: User, reason: str) -> int:
    """End every token and socket of the user (a logout, a password change).

    Moves the user's token generation on (their access tokens are refused from
    now on), blacklists every outstanding refresh token, and once this commits
    closes the user's open sockets in every process with 4401 and the reason;
    sockets whose session is still good reconnect by themselves. Returns how many
    refresh tokens were blacklisted.
    """
    generation, _ = TokenGeneration.objects.select_for_update().get_or_create(user=user)
    TokenGeneration.objects.filter(pk=generation.pk).update(generation=F("generation") + 1)
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    blacklisted = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    close_user_sockets(user.pk, code=close_codes.UNAUTHORIZED, reason=reason)
    logger.info("tokens of user %s revoked: %s", user.pk, reason)
    return len(blacklisted)
