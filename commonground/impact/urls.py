from django.urls import path

from . import views

app_name = "impact"
urlpatterns = [
    path("", views.index, name="index"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<slug:code>/edit/", views.indicator_update, name="indicator_update"),
    path(
        "indicators/<slug:code>/figures/new/", views.measurement_create, name="measurement_create"
    ),
    path("indicators/<slug:code>/targets/new/", views.target_create, name="target_create"),
    path(
        "figures/<uuid:public_id>/correct/", views.measurement_correct, name="measurement_correct"
    ),
    path("targets/<uuid:public_id>/edit/", views.target_update, name="target_update"),
    path("compare/", views.compare, name="compare"),
    path("compare/save/", views.comparison_save, name="comparison_save"),
    path("comparisons/<uuid:public_id>/", views.comparison_detail, name="comparison_detail"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<uuid:public_id>/", views.report_detail, name="report_detail"),
    path("reports/<uuid:public_id>/edit/", views.report_edit, name="report_edit"),
    path("reports/<uuid:public_id>/sections/new/", views.section_edit, name="section_add"),
    path(
        "reports/<uuid:public_id>/sections/<int:section_id>/edit/",
        views.section_edit,
        name="section_edit",
    ),
    path(
        "reports/<uuid:public_id>/sections/<int:section_id>/remove/",
        views.section_delete,
        name="section_delete",
    ),
    path("reports/<uuid:public_id>/publish/", views.report_publish, name="report_publish"),
    path(
        "reports/<uuid:public_id>/versions/<int:number>/",
        views.version_detail,
        name="version_detail",
    ),
    path(
        "reports/<uuid:public_id>/versions/<int:number>/report.pdf",
        views.version_pdf,
        name="version_pdf",
    ),
    path(
        "reports/<uuid:public_id>/versions/<int:number>/figures.<str:fmt>",
        views.version_figures,
        name="version_figures",
    ),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/figures.<str:fmt>", views.open_data_figures, name="open_data_figures"),
    path(
        "open-data/data-dictionary.json",
        views.open_data_dictionary,
        name="open_data_dictionary",
    ),
]
