"""The kiosk profile of the portal, under /kiosk/: a touch screen in an office's hall."""

from django.urls import path

from ventanilla.web.kiosk import views

app_name = "kiosk"

urlpatterns = [
    path("", views.offices, name="offices"),
    path("<slug:office>/", views.start, name="start"),
    path("<slug:office>/check-in/", views.check_in, name="check-in"),
    path("<slug:office>/ticket/", views.ticket, name="ticket"),
    path("<slug:office>/receipt/<str:reference>/", views.receipt, name="receipt"),
]
