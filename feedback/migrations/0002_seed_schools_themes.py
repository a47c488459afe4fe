"""Seed the school list and the starter theme taxonomy from feedback/data (idempotent)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def seed(apps, schema_editor):
    School = apps.get_model("feedback", "School")
    Theme = apps.get_model("feedback", "Theme")
    for line in (DATA / "schools.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, locality = line.partition("|")
        School.objects.get_or_create(name=name.strip(), defaults={"locality": locality.strip().lower()})
    for spec in json.loads((DATA / "themes.json").read_text(encoding="utf-8")):
        Theme.objects.get_or_create(label=spec["label"], defaults={"keywords": "\n".join(spec["keywords"])})


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
