from django.contrib import admin
from django.urls import include, path

from commonground.api import api

admin.site.site_header = "Common Ground administration"
admin.site.site_title = "Common Ground"

urlpatterns = [
    path("", include("commonground.core.urls")),
    path("accounts/", include("commonground.accounts.urls")),
    path("places/", include("commonground.places.urls")),
    path("programme/", include("commonground.programme.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "commonground.core.views.permission_denied"
handler404 = "commonground.core.views.page_not_found"
handler500 = "commonground.core.views.server_error"
