"""Board packs became their own app (ADR 0130). The tables stay where portal's migration 0005
made them (`db_table`); only Django's record of which app owns the models moves, so nothing in
the database changes. Content types and permissions follow the models to the new app label."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("boardpack", "boardpackchart"):
        if ContentType.objects.filter(app_label="boardpacks", model=model).exists():
            continue
        ContentType.objects.filter(app_label="portal", model=model).update(app_label="boardpacks")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="boardpacks").update(app_label="portal")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("portal", "0007_access_log_contacts_viewed"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='BoardPack',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period_start', models.DateField(help_text='First day covered (inclusive).')),
                        ('period_end', models.DateField(help_text='Last day covered (inclusive).')),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('trigger', models.CharField(choices=[('scheduled', 'Monthly schedule'), ('on_demand', 'On demand'), ('demo', 'Demo data')], default='on_demand', max_length=10)),
                        ('data', models.JSONField(help_text='The computed pack, small numbers already suppressed.')),
                        ('query_count', models.PositiveIntegerField(default=0, help_text='Database queries the build used.')),
                        ('build_seconds', models.FloatField(default=0.0)),
                        ('notified_at', models.DateTimeField(blank=True, help_text='When board members were emailed about it.', null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('built_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='board_packs', to='portal.plan')),
                    ],
                    options={
                        'verbose_name': 'board pack',
                        'db_table': 'portal_boardpack',
                        'ordering': ['-period_end', '-period_start', 'plan', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='BoardPackChart',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.SlugField(max_length=80)),
                        ('position', models.PositiveIntegerField(default=0)),
                        ('title', models.CharField(max_length=250)),
                        ('alt', models.TextField(help_text='Text alternative: what the chart shows, in words.')),
                        ('columns', models.JSONField(default=list)),
                        ('rows', models.JSONField(default=list)),
                        ('svg', models.TextField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('pack', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='charts', to='boardpacks.boardpack')),
                    ],
                    options={
                        'verbose_name': 'board pack chart',
                        'db_table': 'portal_boardpackchart',
                        'ordering': ['pack', 'position'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='boardpack',
                    constraint=models.UniqueConstraint(fields=('plan', 'period_start', 'period_end', 'version'), name='boardpack_unique_version'),
                ),
                migrations.AddConstraint(
                    model_name='boardpack',
                    constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='boardpack_period_order'),
                ),
                migrations.AddConstraint(
                    model_name='boardpackchart',
                    constraint=models.UniqueConstraint(fields=('pack', 'key'), name='boardpack_unique_chart_key'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
