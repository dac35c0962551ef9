from django.urls import path

from . import rights_views, views

app_name = "privacy"
urlpatterns = [
    # Not "": /privacy/ is the public privacy notice (core:privacy_notice), which is mounted first.
    path("manage/", rights_views.index, name="index"),
    path("residents/", rights_views.resident_search, name="resident_search"),
    path("residents/<uuid:public_id>/", rights_views.resident_rights, name="resident_rights"),
    path(
        "residents/<uuid:public_id>/export/",
        rights_views.resident_export,
        name="resident_export",
    ),
    path("residents/<uuid:public_id>/erase/", rights_views.resident_erase, name="resident_erase"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<uuid:public_id>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<uuid:public_id>/end/", views.agreement_end, name="agreement_end"),
]
urlpatterns += [path("", ("commonground.privacy.governance_urls", None, None))]  # include()
