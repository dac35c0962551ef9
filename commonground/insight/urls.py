from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("", views.index, name="index"),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/new/", views.theme_create, name="theme_create"),
    path("themes/<slug:slug>/edit/", views.theme_update, name="theme_update"),
    path("review/", views.review_next, name="review_next"),
    path("review/<uuid:public_id>/", views.review_item, name="review_item"),
    path(
        "review/<uuid:public_id>/tags/<int:tag_id>/confirm/",
        views.review_tag_confirm,
        name="review_tag_confirm",
    ),
    path(
        "review/<uuid:public_id>/tags/<int:tag_id>/reject/",
        views.review_tag_reject,
        name="review_tag_reject",
    ),
    path("review/<uuid:public_id>/add/", views.review_tag_add, name="review_tag_add"),
    path("review/<uuid:public_id>/finish/", views.review_finish, name="review_finish"),
    path("tagger/", views.taggermodel_list, name="taggermodel_list"),
    path("tagger/retrain/", views.tagger_retrain, name="tagger_retrain"),
    path("emerging/", views.emerging_list, name="emerging_list"),
    path("emerging/refresh/", views.emerging_refresh, name="emerging_refresh"),
    path("emerging/<uuid:public_id>/", views.emerging_detail, name="emerging_detail"),
    path("areas/", views.area_choose, name="area_choose"),
    path("areas/<str:kind>/<str:code>/", views.area_evidence, name="area_evidence"),
    path("areas/<str:kind>/<str:code>/themes/<slug:slug>/", views.area_theme, name="area_theme"),
    path(
        "areas/<str:kind>/<str:code>/themes/<slug:slug>/meetings/new/",
        views.meeting_create,
        name="meeting_create",
    ),
    path("meetings/<uuid:public_id>/", views.meeting_detail, name="meeting_detail"),
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/<uuid:public_id>/", views.quote_detail, name="quote_detail"),
    path("neighbourhoods/<slug:slug>/what-we-heard/", views.what_we_heard, name="what_we_heard"),
    path(
        "neighbourhoods/<slug:slug>/what-we-heard.pdf",
        views.what_we_heard_pdf,
        name="what_we_heard_pdf",
    ),
]
