"""Pages need a login; APIs answer for themselves."""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from rest_framework.views import APIView


class PageLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware for pages; API views are left to DRF.

    An API client wants 401 or 403 with a JSON body, not a redirect to a login page,
    and DRF's authentication and permission classes give exactly that.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
