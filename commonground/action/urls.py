from django.urls import path

from . import views

app_name = "action"
urlpatterns = [
    path("", views.index, name="index"),
    # matters
    path("matters/", views.matter_list, name="matter_list"),
    path("matters/queue/", views.matter_queue, name="matter_queue"),
    path("matters/new/", views.matter_raise, name="matter_raise"),
    path("matters/<uuid:public_id>/", views.matter_detail, name="matter_detail"),
    path(
        "matters/<uuid:public_id>/acknowledge/",
        views.matter_acknowledge,
        name="matter_acknowledge",
    ),
    path("matters/<uuid:public_id>/status/", views.matter_status, name="matter_status"),
    path("matters/<uuid:public_id>/close/", views.matter_close, name="matter_close"),
    path("matters/<uuid:public_id>/reopen/", views.matter_reopen, name="matter_reopen"),
    path("matters/<uuid:public_id>/reroute/", views.matter_reroute, name="matter_reroute"),
    path(
        "matters/<uuid:public_id>/merge/<uuid:other_id>/", views.matter_merge, name="matter_merge"
    ),
    path(
        "matters/<uuid:public_id>/add-conversations/",
        views.matter_add_conversations,
        name="matter_add_conversations",
    ),
    # routing
    path("routing/", views.routing, name="routing"),
    path("routing/preview/", views.routing_preview, name="routing_preview"),
    path("routing/rules/new/", views.routing_rule_create, name="routing_rule_create"),
    path(
        "routing/rules/<uuid:public_id>/edit/",
        views.routing_rule_update,
        name="routing_rule_update",
    ),
    path("routing/default/", views.routing_default, name="routing_default"),
    path("routing/categories/new/", views.category_create, name="category_create"),
    path("routing/categories/<int:pk>/edit/", views.category_update, name="category_update"),
    # groups and the network
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/edit/", views.group_update, name="group_update"),
    path("groups/<slug:slug>/activities/new/", views.group_activity_add, name="group_activity_add"),
    path("groups/<slug:slug>/people/new/", views.involvement_add, name="involvement_add"),
    path("network/", views.network_index, name="network_index"),
    path("network/links/new/", views.network_link_add, name="network_link_add"),
    path("network/<slug:slug>/", views.network_detail, name="network_detail"),
    # projects
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<slug:slug>/", views.project_detail, name="project_detail"),
    path("projects/<slug:slug>/edit/", views.project_update, name="project_update"),
    path("projects/<slug:slug>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("projects/<slug:slug>/events/new/", views.project_event_add, name="project_event_add"),
    path(
        "projects/<slug:slug>/volunteers/new/", views.volunteer_time_add, name="volunteer_time_add"
    ),
    path("projects/<slug:slug>/outcomes/new/", views.outcome_add, name="outcome_add"),
    path("projects/<slug:slug>/photos/new/", views.photo_add, name="photo_add"),
    path("milestones/<int:pk>/", views.milestone_update, name="milestone_update"),
    path("photos/<uuid:public_id>/", views.photo, name="photo"),
    # Open Referral (HSDS 3) feed, open to anyone
    path("openreferral/", views.openreferral_root, name="openreferral_root"),
    path("openreferral/services", views.openreferral_services, name="openreferral_services"),
    path(
        "openreferral/services/<str:public_id>",
        views.openreferral_service,
        name="openreferral_service",
    ),
    path(
        "openreferral/organizations",
        views.openreferral_organizations,
        name="openreferral_organizations",
    ),
    path(
        "openreferral/organizations/<str:public_id>",
        views.openreferral_organization,
        name="openreferral_organization",
    ),
    # forums, meetings and plans
    path("forums/", views.forum_list, name="forum_list"),
    path("forums/new/", views.forum_create, name="forum_create"),
    path("forums/<slug:slug>/", views.forum_detail, name="forum_detail"),
    path("forums/<slug:slug>/members/new/", views.forum_member_add, name="forum_member_add"),
    path("forums/<slug:slug>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("forums/<slug:slug>/actions/new/", views.forum_action_add, name="forum_action_add"),
    path("forums/<slug:slug>/meetings.ics", views.forum_calendar, name="forum_calendar"),
    path("meetings/<uuid:public_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<uuid:public_id>/redraft/", views.meeting_redraft, name="meeting_redraft"),
    path("meetings/<uuid:public_id>/items/new/", views.meeting_item_add, name="meeting_item_add"),
    path("meetings/<uuid:public_id>/publish/", views.meeting_publish, name="meeting_publish"),
    path("meetings/<uuid:public_id>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("actions/<uuid:public_id>/", views.forum_action_update, name="forum_action_update"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<uuid:public_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<uuid:public_id>/items/new/", views.plan_item_add, name="plan_item_add"),
    path("plans/<uuid:public_id>/report/", views.plan_report, name="plan_report"),
    path("plan-items/<uuid:public_id>/", views.plan_item_progress, name="plan_item_progress"),
    # ideas and business cases
    path("ideas/", views.idea_list, name="idea_list"),
    path("ideas/pipeline/", views.idea_pipeline, name="idea_pipeline"),
    path("ideas/savings/", views.idea_savings, name="idea_savings"),
    path("ideas/new/", views.idea_create, name="idea_create"),
    path("ideas/<uuid:public_id>/", views.idea_detail, name="idea_detail"),
    path("ideas/<uuid:public_id>/case/", views.idea_case, name="idea_case"),
    path("ideas/<uuid:public_id>/move/", views.idea_move, name="idea_move"),
    path("ideas/<uuid:public_id>/progress/", views.idea_progress, name="idea_progress"),
    # toolkit of good practice
    path("toolkit/", views.toolkit_list, name="toolkit_list"),
    path("toolkit/new/", views.toolkit_create, name="toolkit_create"),
    path("toolkit/<slug:slug>/", views.toolkit_detail, name="toolkit_detail"),
    path("toolkit/<slug:slug>/edit/", views.toolkit_update, name="toolkit_update"),
]
