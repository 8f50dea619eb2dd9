from django.urls import path

from . import api

app_name = "offers"

api_urlpatterns = [
    path("listings/<id:listing_id>/offers/", api.ListingOffersApi.as_view(), name="offer-make"),
    path("offers/<id:offer_id>/", api.OfferDetailApi.as_view(), name="offer-detail"),
    *(
        path(
            f"offers/<id:offer_id>/{action}/",
            api.OfferMoveApi.as_view(move=action),
            name=f"offer-{action}",
        )
        for action in api.MOVES
    ),
    path("offers/<id:offer_id>/counter/", api.CounterApi.as_view(), name="offer-counter"),
]
