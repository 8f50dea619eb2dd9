"""Authorization everywhere: found by walking the URL configuration, not by a list."""

import pytest

from tidewire.testing.routes import all_routes, concrete, is_api, methods_of

pytestmark = pytest.mark.django_db

# Pages anyone may see; every other page redirects to the login page.
PUBLIC_PAGES = {"/", "/accounts/login/", "/accounts/signup/", "/health/live", "/health/ready"}
# Guarded by its own rule, not a login: a bearer token or an allowed network in production,
# open in development and tests (METRICS_PUBLIC; tests/test_metrics.py checks each way).
OWN_RULE_PAGES = {"/metrics"}
# Pages whose signed link is the credential (apps/mailing/unsubscribe.py): open to all,
# and a made-up token is refused.
SIGNED_LINK_PAGES = {"/notifications/unsubscribe/1/"}
# Endpoints that are how one gets credentials: they answer 400/401 on their own terms.
CREDENTIAL_ENDPOINTS = {"/api/auth/token/", "/api/auth/token/refresh/", "/api/auth/logout/"}
# The last route: any other path under /api/ is a JSON 404, logged in or not.
API_NOT_FOUND = "/^api/"


ROUTES = all_routes()
API_ROUTES = [(concrete(route), callback) for route, callback, _ in ROUTES if is_api(callback)]
PAGE_ROUTES = [concrete(route) for route, callback, _ in ROUTES if not is_api(callback)]


def test_the_walk_finds_the_endpoints_it_should():
    urls = {url for url, _ in API_ROUTES}
    assert {"/api/users/", "/api/users/1/", "/api/schema/"} <= urls
    assert urls >= CREDENTIAL_ENDPOINTS  # the exemption names real endpoints
    assert "/window1/" in PAGE_ROUTES


GUARDED_API_ROUTES = [(url, cb) for url, cb in API_ROUTES if url not in CREDENTIAL_ENDPOINTS]


@pytest.mark.parametrize(
    ("url", "callback"), GUARDED_API_ROUTES, ids=[u for u, _ in GUARDED_API_ROUTES]
)
def test_every_api_endpoint_refuses_requests_without_credentials(client, url, callback):
    for method in methods_of(callback):
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code in (401, 403), f"{method.upper()} {url}"
        if response.status_code == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("url", PAGE_ROUTES)
def test_every_page_but_the_public_ones_needs_a_login(client, url):
    response = client.get(url)
    if url == API_NOT_FOUND:
        assert client.get("/api/no-such-thing/").json()["detail"].startswith("No API endpoint")
    elif url in PUBLIC_PAGES | OWN_RULE_PAGES:
        assert response.status_code == 200, url
    elif url in SIGNED_LINK_PAGES:
        assert response.status_code == 400, url
    else:
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")


def test_admin_needs_staff(client, editor):
    assert client.get("/admin/").status_code == 302
    client.force_login(editor)
    assert client.get("/admin/").status_code == 302  # logged in, but not staff
