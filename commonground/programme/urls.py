from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_update, name="organisation_update"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("organisers/", views.organiser_list, name="organiser_list"),
    path("organisers/<uuid:public_id>/", views.organiser_detail, name="organiser_detail"),
    path("organisers/<uuid:public_id>/edit/", views.organiser_update, name="organiser_update"),
    path("organisers/<uuid:public_id>/training/new/", views.training_add, name="training_add"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<uuid:public_id>/", views.agreement_detail, name="agreement_detail"),
    path("commitments/<uuid:public_id>/edit/", views.commitment_update, name="commitment_update"),
]
