"""Open311 GeoReport v2, mounted at /open311/v2/ by the project's URL configuration."""

from django.urls import re_path

from . import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>[A-Za-z]+)$", open311.discovery, name="discovery"),
    re_path(r"^services\.(?P<fmt>[A-Za-z]+)$", open311.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[-\w]+)\.(?P<fmt>[A-Za-z]+)$",
        open311.service_definition,
        name="service_definition",
    ),
    re_path(r"^requests\.(?P<fmt>[A-Za-z]+)$", open311.requests_view, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[-\w]+)\.(?P<fmt>[A-Za-z]+)$",
        open311.request_detail,
        name="request_detail",
    ),
    re_path(
        r"^tokens/(?P<token>[-\w]+)\.(?P<fmt>[A-Za-z]+)$", open311.token_detail, name="token_detail"
    ),
    re_path(r"^(?P<rest>.*)$", open311.bad_url, name="bad_url"),
]
