from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "commonground.listening"
    label = "listening"
    verbose_name = "Listening"
