from django.apps import AppConfig


class BoardpacksConfig(AppConfig):
    """The monthly evidence pack for the improvement board: composed from the selectors of
    feedback, surveys, the site and the plan, stored once, read at /board/."""

    name = "boardpacks"
    verbose_name = "Board packs"
    default_auto_field = "django.db.models.BigAutoField"
