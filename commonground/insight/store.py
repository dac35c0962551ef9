"""Where trained tagger versions live on disk, and the one in use, loaded once per process.

Model files are pickles made from residents' words, so they are kept under the private var folder
(``INSIGHT_MODEL_DIR``, by default ``var/insight/taggers``), never under the media folder a web
server might publish. The database row (:class:`~commonground.insight.models.TaggerModel`) holds
the metadata and which version is active.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from .models import TaggerModel
from .tagger import ThemeTagger

_cache: dict[str, ThemeTagger] = {}
_lock = threading.Lock()


def model_root() -> Path:
    configured = getattr(settings, "INSIGHT_MODEL_DIR", None)
    root = Path(configured) if configured else Path(settings.VAR_DIR) / "insight" / "taggers"
    root.mkdir(parents=True, exist_ok=True)
    return root


def directory_for(version: str) -> Path:
    return model_root() / version


def active_model() -> TaggerModel | None:
    return TaggerModel.objects.filter(status=TaggerModel.Status.ACTIVE).first()


def load(record: TaggerModel) -> ThemeTagger:
    """The tagger for a stored version; loaded from disk the first time, then kept in memory."""
    with _lock:
        tagger = _cache.get(record.version)
        if tagger is None:
            tagger = ThemeTagger.load(model_root() / record.directory)
            _cache.clear()
            _cache[record.version] = tagger
        return tagger


def remember(record: TaggerModel, tagger: ThemeTagger) -> None:
    with _lock:
        _cache.clear()
        _cache[record.version] = tagger


def forget() -> None:
    with _lock:
        _cache.clear()
