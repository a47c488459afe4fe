"""Create one Django group per role. Their permissions are filled in by `roles_sync()` after
every migrate, once each app's permissions exist (see portal.apps)."""

from django.db import migrations

ROLE_GROUPS = [
    "Parent or carer", "Young person", "Professional", "Engagement team", "Safeguarding lead",
    "Board member", "Administrator",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
