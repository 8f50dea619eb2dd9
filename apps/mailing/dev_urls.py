"""Development only (config/dev_urls.py): the mailbox of sent emails at /dev/mail/."""

from django.urls import path

from . import views

app_name = "mailbox"

urlpatterns = [
    path("dev/mail/", views.mailbox, name="list"),
    path("dev/mail/<id:message_id>/", views.mailbox_message, name="message"),
    path("dev/mail/<id:message_id>/html", views.mailbox_message_html, name="message-html"),
]
