from django.urls import path

from . import views

app_name = "listening"
urlpatterns = [
    path("", views.conversation_list, name="conversation_list"),
    path("capture/", views.capture, name="capture"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("conversations/<uuid:public_id>/", views.conversation_detail, name="conversation_detail"),
    path(
        "conversations/<uuid:public_id>/correct/",
        views.conversation_correct,
        name="conversation_correct",
    ),
    path("follow-ups/<uuid:public_id>/close/", views.follow_up_close, name="follow_up_close"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/duplicates/", views.duplicates, name="duplicates"),
    path("residents/merge/", views.resident_merge, name="resident_merge"),
    path("residents/<uuid:public_id>/", views.resident_detail, name="resident_detail"),
    path("residents/<uuid:public_id>/edit/", views.resident_update, name="resident_update"),
    path("consents/<uuid:public_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("progress/", views.my_progress, name="my_progress"),
    path("progress/organisers/", views.compare, name="compare"),
    path(
        "progress/organisers/<uuid:public_id>/",
        views.organiser_progress,
        name="organiser_progress",
    ),
    path("figures/", views.figures, name="figures"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<uuid:public_id>/", views.assignment_detail, name="assignment_detail"),
    path(
        "assignments/<uuid:public_id>/areas.geojson",
        views.assignment_geojson,
        name="assignment_geojson",
    ),
    path("imports/", views.import_list, name="import_list"),
    path("imports/template.<str:kind>", views.import_template, name="import_template"),
    path("imports/<uuid:public_id>/", views.import_detail, name="import_detail"),
    path("sheets/", views.listening_sheet, name="listening_sheet"),
]
