"""Demo accounts, one per role, for trying the portal locally. Never used in production:
`load_demo` refuses to run when DEBUG is off unless told to."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.db import transaction

from .models import User
from .roles import STAFF_ROLES, Role
from .services import user_assign_role

DEMO_DOMAIN = "demo.send-voice.test"
DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 - printed for local demos only

DEMO_PEOPLE = [
    (Role.PARENT_CARER, "parent", "Sam", "Taylor", ""),
    (Role.YOUNG_PERSON, "young.person", "Alex", "", ""),
    (Role.PROFESSIONAL, "sendco", "Priya", "Shah", "Cherwell Primary School"),
    (Role.ENGAGEMENT_TEAM, "engagement", "Jo", "Morgan", "Oxfordshire County Council"),
    (Role.SAFEGUARDING_LEAD, "safeguarding", "Chris", "Evans", "Oxfordshire County Council"),
    (Role.BOARD_MEMBER, "board", "Pat", "Okafor", "BOB Integrated Care Board"),
    (Role.ADMINISTRATOR, "admin", "Lee", "Carter", "Oxfordshire County Council"),
]


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str
    totp_secret: str | None


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


@transaction.atomic
def demo_users_ensure() -> list[DemoLogin]:
    """Create (once) one verified account per role; staff get a TOTP authenticator whose secret
    is printed so a demo user can add it to an authenticator app or use `manage.py totp_code`."""
    logins = []
    for role, local, first, last, org in DEMO_PEOPLE:
        email = demo_email(local)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(
                email=email,
                first_name=first,
                last_name=last,
                organisation=org,
                # Not a superuser: the administrator holds exactly the Administrator
                # role's permissions (no safeguarding case files, for instance).
                is_staff=role == Role.ADMINISTRATOR,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        user_assign_role(user=user, role=role)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        secret = None
        if role in STAFF_ROLES:
            authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            if authenticator is None:
                secret = generate_totp_secret()
                TOTP.activate(user, secret)
            else:
                secret = decrypt(authenticator.data["secret"])
        logins.append(DemoLogin(Role(role).label, email, DEMO_PASSWORD, secret))
    return logins


def totp_current_code(secret: str, at: float | None = None) -> str:
    import time

    from allauth.mfa import app_settings

    counter = int(at if at is not None else time.time()) // app_settings.TOTP_PERIOD
    return f"{hotp_value(secret, counter):0{app_settings.TOTP_DIGITS}}"
