from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "commonground.priorities"
    label = "priorities"
    verbose_name = "Priorities"
