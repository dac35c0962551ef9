from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "commonground.insight"
    label = "insight"
    verbose_name = "Insight"
