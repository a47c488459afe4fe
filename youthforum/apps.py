from django.apps import AppConfig


class YouthforumConfig(AppConfig):
    name = "youthforum"
    default_auto_field = "django.db.models.BigAutoField"
