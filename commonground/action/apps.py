from django.apps import AppConfig


class ActionConfig(AppConfig):
    name = "commonground.action"
    label = "action"
    verbose_name = "Action"
