"""What accounts keep beside Django's users: which tokens are still good."""

from django.conf import settings
from django.db import models


class TokenGeneration(models.Model):
    """A user's token generation: tokens minted in an earlier one are refused.

    Access tokens are not stored anywhere (they are checked by signature), so
    ending them early needs something to compare with: each token carries the
    generation it was minted in (claim `gen`), and a logout or a password change
    moves the user on to the next. No row: generation 0.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    generation = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: generation {self.generation}"
