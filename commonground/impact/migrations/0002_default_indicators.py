"""Install the shared indicators from the council papers once.

The same installer backs the demo; it creates only missing indicators and never overwrites one a
council has edited.
"""

from django.db import migrations


def install(apps, schema_editor):
    from commonground.impact.framework import install_defaults

    install_defaults(apps.get_model("impact", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("impact", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
