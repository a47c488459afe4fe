from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """A person's rights over their data across every app: subject access, erasure, retention.

    It sits above the apps it gathers from (feedback, surveys, youth forum, the site), so they
    never need to know about it; each app only offers its own read and erase functions."""

    name = "privacy"
    verbose_name = "Privacy"
    default_auto_field = "django.db.models.BigAutoField"
