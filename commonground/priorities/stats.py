STATS_MODELS = {
    "priority_scenarios": "priorities.Scenario",
    "accepted_patches": "priorities.AcceptedPatch",
}
