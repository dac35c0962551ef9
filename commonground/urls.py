from django.contrib import admin
from django.urls import include, path

from commonground.api import api
from commonground.core.discovery import app_modules

admin.site.site_header = "Common Ground administration"
admin.site.site_title = "Common Ground"

# Each app's pages live under its own prefix; `core` owns the home page and `public` the resident pages.
PREFIXES = {"core": "", "public": "public/"}

urlpatterns = [
    path("accounts/", include("commonground.accounts.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    # Open311 GeoReport v2 is a published contract, so it keeps its standard address.
    path("open311/v2/", include("commonground.action.open311_urls")),
]
urlpatterns += [
    path(PREFIXES.get(label, f"{label}/"), include(f"commonground.{label}.urls"))
    for label, _module in app_modules("urls")
    if label != "accounts"
]

handler403 = "commonground.core.views.permission_denied"
handler404 = "commonground.core.views.page_not_found"
handler500 = "commonground.core.views.server_error"
