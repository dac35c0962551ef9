STATS_MODELS = {
    "conversations": "listening.Conversation",
    "conversation_versions": "listening.ConversationVersion",
    "residents": "listening.Resident",
    "follow_ups": "listening.FollowUp",
    "canvass_assignments": "listening.CanvassAssignment",
    "postcodes": "listening.Postcode",
    "streets": "listening.Street",
}
