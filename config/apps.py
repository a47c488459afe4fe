from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: settings, URLs, Celery, health, and the commands that set up or fill
    the whole site (load_demo). It may import every app; no app imports it."""

    name = "config"
    label = "site_config"
    verbose_name = "Site"
