"""What `commonground stats --json` counts for insight."""

STATS_MODELS = {
    "themes": "insight.Theme",
    "theme_tags": "insight.ConversationTag",
    "tagger_versions": "insight.TaggerModel",
    "training_examples": "insight.TrainingExample",
    "quotes": "insight.Quote",
    "house_meetings": "insight.HouseMeeting",
}
