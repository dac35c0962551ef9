"""Load the default theme taxonomy (FixMyStreet families and community themes) once.

The same loader backs ``commonground themes load-defaults``; it creates only what is missing.
"""

from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    from commonground.insight.taxonomy import load_default_taxonomy

    load_default_taxonomy(apps.get_model("insight", "Theme"), settings.DATA_DIR)


class Migration(migrations.Migration):
    dependencies = [("insight", "0002_evidence_tags_models")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
