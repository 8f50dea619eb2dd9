"""Roles are Django groups (super admins are superusers); permissions come with the group."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(StrEnum):
    SUPER_ADMIN = "super_admin"
    BUSINESS_OWNER = "business_owner"
    MARKETPLACE_USER = "marketplace_user"


# Users in this group may create, edit and delete user records (seeds 000-002);
# anyone logged in may read them.
RECORD_EDITORS = "record_editors"
RECORD_EDIT_PERMISSIONS = ("add_userrecord", "change_userrecord", "delete_userrecord")


def user_roles(user: AbstractBaseUser | AnonymousUser) -> set[Role]:
    """The roles a user holds; none for an anonymous visitor."""
    if not user.is_authenticated:
        return set()
    names = set(user.groups.values_list("name", flat=True))
    roles = {role for role in Role if role.value in names}
    if user.is_superuser:
        roles.add(Role.SUPER_ADMIN)
    return roles


def is_super_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Super admins see everything (the dashboard of seed 004)."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)
