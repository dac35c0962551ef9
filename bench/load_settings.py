"""Production settings for the load test, served over plain HTTP on the loopback address.

Everything is the production configuration except what a load test on one machine cannot have: TLS
(so no HTTPS redirect; the session cookie is sent by the load generator itself) and one address
for every simulated client (so the per-address API rate limit is raised; it is measured elsewhere).
Static files are collected into a throwaway folder rather than the repository, without hashed
names or compressed copies: the manifest storage refuses leaflet.js, which names a source map that
is not shipped, and compressing them all takes most of a minute. The pages under test are the same
either way; only their links to static files differ.
"""

import os
from pathlib import Path

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("RATE_LIMIT_API", "1000000")

from commonground.settings.production import *  # noqa: F403

STATIC_ROOT = Path(os.environ["COMMONGROUND_LOAD_STATIC_ROOT"])
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
