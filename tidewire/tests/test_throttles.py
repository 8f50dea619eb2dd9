"""REST limits: the client address is REMOTE_ADDR, whatever X-Forwarded-For says."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from tidewire.throttles import IPThrottle


def anonymous(method="post", path="/login/", **meta):
    request = getattr(RequestFactory(), method)(path, **meta)
    request.user = AnonymousUser()
    return request


def test_the_client_address_is_remote_addr_whatever_x_forwarded_for_says():
    throttle = IPThrottle()
    first = anonymous(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = anonymous(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2, 10.9.9.9")
    assert throttle.get_ident(first) == throttle.get_ident(second) == "10.0.0.1"
