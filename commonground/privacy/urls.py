from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<uuid:public_id>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<uuid:public_id>/end/", views.agreement_end, name="agreement_end"),
]
