from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Path) -> Path:
    """Attachments go to a temporary private folder, never the repository's var/."""
    folder = tmp_path / "private"
    settings.FUNDING_PRIVATE_ROOT = folder
    return folder
