import re

import pytest
from django.contrib.auth.models import User

from apps.accounts.services import user_sign_up

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "ann\x1b"}, "username contains a control character U+001B"),
        ({"username": "ann\u202e"}, "username contains an invisible formatting character U+202E"),
        ({"email": '"a\x07"@example.com'}, "email contains a control character U+0007"),
    ],
)
def test_user_sign_up_refuses_hidden_characters_and_creates_nobody(fields, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        user_sign_up(
            **{"username": "ann", "email": "ann@example.com", "password": "pw-1234567", **fields}
        )
    assert not User.objects.exists()
