from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, UserCreationForm
from django.contrib.auth.models import User
from django.http import HttpRequest

from tidewire.text import TextValidator


class SignUpForm(UserCreationForm):
    """Username, e-mail and password; the username is Django's (NFKC, letters, digits, @.+-_)."""

    # Django's EmailValidator lets ESC and BEL through in a quoted local part
    # ("a\x1bb"@example.com) and direction or zero-width characters in the domain.
    email = forms.EmailField(required=True, validators=[TextValidator()])

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class CountedPasswordChangeForm(PasswordChangeForm):
    """Django's password change, checking the old password through `authenticate`.

    Django's form calls `user.check_password`, which django-axes does not see: a
    stolen session could guess the old password without limit and take the
    account over. Through `authenticate` a wrong old password counts as a failed
    login of that username and address, and a lockout refuses it.
    """

    def __init__(self, user: User, *args, request: HttpRequest | None = None, **kwargs) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        username = self.user.get_username()
        if authenticate(self.request, username=username, password=old_password) is None:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
