"""Thin adapters: Django's own logout and password saves call the accounts services.

Logging out happens in Django's LogoutView and the admin's; passwords change in
the password page, the admin, `manage.py changepassword` and the shell. Each of
these ends the user's tokens and sockets through `user_tokens_revoke`.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from .services import user_tokens_revoke


@receiver(user_logged_out)
def _revoke_on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        user_tokens_revoke(user=user, reason="logged out")


@receiver(post_save, sender=get_user_model())
def _revoke_on_password_change(sender, instance, created, **kwargs) -> None:
    # set_password() keeps the raw password in `_password` until the save ends.
    if not created and getattr(instance, "_password", None) is not None:
        user_tokens_revoke(user=instance, reason="password changed")
