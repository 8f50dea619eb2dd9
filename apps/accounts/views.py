"""Sign-up, login, logout and password change pages (Django's auth views, our templates)."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from tidewire.sync_threads import on_login_threads
from tidewire.throttles import throttle_posts

from . import services
from .demo import DEMO_ACCOUNTS
from .forms import CountedPasswordChangeForm, SignUpForm


def password_view(view: Callable) -> Callable:
    """A view that checks or sets a password: on the login threads, under the login limit.

    A password hash takes ~0.2 s of CPU by design: on threads of their own such
    views cannot hold up the rest of the site, and one address cannot keep them busy.
    """
    return on_login_threads(throttle_posts("login")(view))


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's login; development settings also list the demo accounts."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if getattr(settings, "TIDEWIRE_DEMO", False):
            context["demo_accounts"] = DEMO_ACCOUNTS
        return context


@login_not_required
@sensitive_post_parameters("password1", "password2")
def sign_up(request: HttpRequest) -> HttpResponse:
    """Create a marketplace account and log it in."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signup.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a wrong old password counts toward the login lockout."""

    form_class = CountedPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = "/accounts/password/done/"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
