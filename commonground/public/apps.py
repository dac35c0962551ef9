from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "commonground.public"
    label = "public"
    verbose_name = "Public"
