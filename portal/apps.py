from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from .services import roles_sync

    roles_sync()


class PortalConfig(AppConfig):
    """The Django project's shared core: accounts and roles, the improvement plan, board packs."""

    name = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 - registers the app-settings check

        # Permissions of every app exist only after migrate, so roles are synced then.
        post_migrate.connect(_sync_roles, dispatch_uid="portal.sync_roles")
        from allauth.mfa.signals import authenticator_added

        from .two_factor import record_enrolment

        authenticator_added.connect(record_enrolment, dispatch_uid="portal.record_enrolment")
