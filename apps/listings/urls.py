from django.urls import path

from . import api, views

app_name = "listings"

api_urlpatterns = [
    path("listings/", api.ListingListApi.as_view(), name="listing-list"),
    path("listings/<id:listing_id>/", api.ListingDetailApi.as_view(), name="listing-detail"),
]

urlpatterns = [
    path("listings/", views.browse, name="browse"),
]
