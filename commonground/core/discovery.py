"""Finding each app's contribution to shared places: URLs, API routers, dashboard panels, counts.

An app joins in by having the module; nothing shared needs editing when an app grows.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.conf import settings
from django.utils.module_loading import module_has_submodule


def app_modules(submodule: str) -> Iterator[tuple[str, ModuleType]]:
    """(app label, module) for every Common Ground app that has ``submodule``, in settings order."""
    for label in settings.COMMONGROUND_APPS:
        package = import_module(f"commonground.{label}")
        if module_has_submodule(package, submodule):
            yield label, import_module(f"commonground.{label}.{submodule}")
