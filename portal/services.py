"""Writes for the shared core: roles, users, and changes to the improvement plan."""

import logging
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import KPI, KPIReading, Objective, RatingEntry, User
from .registry import app_modules
from .roles import Role, group_name

logger = logging.getLogger(__name__)


def _declared_role_permissions() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {role.value: set() for role in Role}
    for module in app_modules("roles"):
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            declared[Role(role).value].update(perms)
    return declared


def roles_sync() -> dict[str, int]:
    """Make every role's group hold exactly the permissions the apps declare for it.

    Runs after every migrate (see `portal.apps`), so a new model's permissions reach the roles
    as soon as they exist. Returns the number of permissions per role.
    """
    counts = {}
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role, wanted in _declared_role_permissions().items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        perms = [all_perms[name] for name in sorted(wanted) if name in all_perms]
        missing = sorted(wanted - all_perms.keys())
        if missing:
            logger.debug("Permissions not yet created for %s: %s", role, missing)
        group.permissions.set(perms)
        counts[role] = len(perms)
    return counts


def user_assign_role(*, user: User, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=group_name(role))
    user.groups.add(group)
    if hasattr(user, "_role_cache"):
        del user._role_cache


@transaction.atomic
def staff_user_create(
    *,
    email: str,
    password: str | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    organisation: str = "",
) -> User:
    """Create a staff account (administrators only: never through public sign-up)."""
    from allauth.account.models import EmailAddress

    user = User(
        email=email.lower(),
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        is_staff=role in (Role.ADMINISTRATOR,),
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_assign_role(user=user, role=role)
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def objective_rate(
    *, objective: Objective, rating: str, as_of: date, note: str = "", recorded_by: User | None = None
) -> RatingEntry:
    """Record a BRAG rating for an objective on a date (replacing one for the same date)."""
    entry, _ = RatingEntry.objects.update_or_create(
        objective=objective,
        as_of=as_of,
        defaults={"rating": rating, "note": note, "recorded_by": recorded_by},
    )
    entry.full_clean()
    return entry


def kpi_record_reading(*, kpi: KPI, value: Decimal, on: date, label: str = "", note: str = "") -> KPIReading:
    reading, _ = KPIReading.objects.update_or_create(
        kpi=kpi, date=on, defaults={"value": value, "label": label, "note": note}
    )
    reading.full_clean()
    return reading


def worker_heartbeat_record(*, worker: str) -> None:
    from django.utils import timezone

    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(worker=worker[:200], defaults={"seen_at": timezone.now()})


def access_log_record(
    *,
    actor,
    action: str,
    object_type: str,
    object_id="",
    screen: str,
    reason: str = "",
    detail: dict | None = None,
    actor_label: str = "",
):
    """Record that personal data other roles only see redacted was shown to `actor` (see
    `portal.models.AccessLogEntry`). Called by the services that disclose it, in the same
    transaction as the read where there is one, so a disclosure is never left unrecorded."""
    from .models import AccessLogEntry

    if not actor_label and actor is not None:
        actor_label = getattr(actor, "email", "") or str(actor)
    entry = AccessLogEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label[:254],
        action=action,
        object_type=object_type,
        object_id=str(object_id or "")[:40],
        screen=screen[:100],
        reason=(reason or "")[:300],
        detail=detail or {},
    )
    entry.full_clean()
    entry.save()
    return entry


DELETE_ATTEMPTS = (5, 900)  # wrong passwords allowed, per this many seconds, per account


def account_delete_attempt(*, user, failed: bool | None = None) -> bool:
    """Whether this account may try its password on the "delete my account" page again (a
    stolen session must not become a way to guess the password). Call with `failed=True` after
    a wrong password to count it. Fails open if the cache is down, like the other rate limits."""
    from django.core.cache import cache

    limit, seconds = DELETE_ATTEMPTS
    key = f"portal:delete-attempts:{user.pk}"
    if failed:
        cache.add(key, 0, timeout=seconds)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=seconds)
    return (cache.get(key) or 0) < limit
