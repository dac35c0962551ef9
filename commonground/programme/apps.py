from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "commonground.programme"
    label = "programme"
    verbose_name = "Programme"
