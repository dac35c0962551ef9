from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.authority_list, name="authority_list"),
    path("authorities/<str:code>/", views.authority_detail, name="authority_detail"),
    path("authorities/<str:code>/lsoas.geojson", views.authority_geojson, name="authority_geojson"),
    path(
        "authorities/<str:code>/neighbourhoods/new/",
        views.neighbourhood_create,
        name="neighbourhood_create",
    ),
    path("wards/<str:code>/", views.ward_detail, name="ward_detail"),
    path("wards/<str:code>/lsoas.geojson", views.ward_geojson, name="ward_geojson"),
    path("lsoas/<str:code>/", views.lsoa_detail, name="lsoa_detail"),
    path("lsoas/<str:code>/lsoa.geojson", views.lsoa_geojson, name="lsoa_geojson"),
    path("neighbourhoods/<slug:slug>/", views.neighbourhood_detail, name="neighbourhood_detail"),
    path(
        "neighbourhoods/<slug:slug>/lsoas.geojson",
        views.neighbourhood_geojson,
        name="neighbourhood_geojson",
    ),
    path(
        "neighbourhoods/<slug:slug>/edit/", views.neighbourhood_update, name="neighbourhood_update"
    ),
]
