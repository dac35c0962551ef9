"""Counts for `commonground stats --json`."""

STATS_MODELS = {
    "matters": "action.Matter",
    "matter_updates": "action.MatterUpdate",
    "routing_rules": "action.RoutingRule",
    "groups": "action.Group",
    "network_links": "action.NetworkLink",
    "projects": "action.Project",
    "forums": "action.Forum",
    "forum_meetings": "action.Meeting",
    "forum_actions": "action.ForumAction",
    "action_plans": "action.ActionPlan",
    "ideas": "action.Idea",
    "toolkit_entries": "action.ToolkitEntry",
}
