from django.urls import path

from . import api

app_name = "offers"

api_urlpatterns = [
    path("listings/<int:listing_id>/offers/", api.ListingOffersApi.as_view(), name="offer-make"),
    path("offers/<int:offer_id>/", api.OfferDetailApi.as_view(), name="offer-detail"),
    *(
        path(
            f"offers/<int:offer_id>/{action}/",
            api.OfferMoveApi.as_view(move=action),
            name=f"offer-{action}",
        )
        for action in api.MOVES
    ),
    path("offers/<int:offer_id>/counter/", api.CounterApi.as_view(), name="offer-counter"),
]
