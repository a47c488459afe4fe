"""Board packs moved to the `boardpacks` app (its migration 0001 takes the models over, with the
same tables): here portal only forgets them. No database change."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0007_access_log_contacts_viewed"),
        ("boardpacks", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="BoardPackChart"),
                migrations.DeleteModel(name="BoardPack"),
            ],
        ),
    ]
