from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager):
    """Creates users identified by email alone (there are no usernames on this platform)."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Anyone who signs in: parents/carers, young people, professionals and partnership staff.

    What a user may do comes from their role (a Django group, see `portal.roles`), never from
    flags set by hand. Email is the login; no public username exists, so nothing a person
    writes is ever shown under a handle that could identify them.
    """

    username = None
    email = models.EmailField("email address", unique=True)
    organisation = models.CharField(
        max_length=200,
        blank=True,
        help_text="Partner organisation, for staff and professionals (e.g. 'Oxfordshire County Council').",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the heartbeat task, so /healthz and monitoring can
    tell a stuck or missing worker from a quiet one."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.worker} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
