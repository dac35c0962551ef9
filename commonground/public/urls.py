from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("neighbourhoods/<slug:slug>/", views.neighbourhood, name="neighbourhood"),
]
