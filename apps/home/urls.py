from django.urls import path

from . import views

app_name = "home"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health/live", views.health_live, name="health-live"),
    path("health/ready", views.health_ready, name="health-ready"),
]
