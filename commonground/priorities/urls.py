from django.urls import path

from . import views

app_name = "priorities"
urlpatterns = [
    path("", views.planner, name="planner"),
    path("scenarios/", views.scenario_list, name="scenario_list"),
    path("scenarios/compare/", views.scenario_compare, name="scenario_compare"),
    path("scenarios/<uuid:public_id>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<uuid:public_id>/status/", views.scenario_status, name="scenario_status"),
    path("scenarios/<uuid:public_id>/save/", views.scenario_save, name="scenario_save"),
    path("scenarios/<uuid:public_id>/delete/", views.scenario_delete, name="scenario_delete"),
    path(
        "scenarios/<uuid:public_id>/patches/<int:number>/accept/",
        views.scenario_accept,
        name="scenario_accept",
    ),
    path("markings/<str:code>/", views.markings, name="markings"),
]
