"""Mounted inside the privacy app's URLs, so the names are ``privacy:processing_record`` etc.

The residents' privacy notice is not here: it stays at ``/privacy/`` (``core:privacy_notice``), which
is why nothing in the privacy app may use the empty path.
"""

from django.urls import path

from . import governance_views

urlpatterns = [
    path("processing/", governance_views.processing_record, name="processing_record"),
    path(
        "processing/print/",
        governance_views.processing_record_print,
        name="processing_record_print",
    ),
]
