from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "commonground.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import caching

        caching.connect()
