from django.apps import AppConfig


class CmsConfig(AppConfig):
    """Wagtail page types and blocks for the public site."""

    name = "cms"
    verbose_name = "Public site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()
