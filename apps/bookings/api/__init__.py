"""REST API of businesses and reservations (BRIEF, "Dashboard and businesses").

Views validate, call a service with `Actor.api(request)` and serialize. What a
caller may not see is 404, never 403: an owner cannot learn that another
owner's business or reservation exists. 403 is only for what the caller can see
but may not do (an owner deleting their own business, or giving it away).
"""
