from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from tidewire.text import TextValidator


class SignUpForm(UserCreationForm):
    """Username, e-mail and password; the username is Django's (NFKC, letters, digits, @.+-_)."""

    # Django's EmailValidator lets ESC and BEL through in a quoted local part
    # ("a\x1bb"@example.com) and direction or zero-width characters in the domain.
    email = forms.EmailField(required=True, validators=[TextValidator()])

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
