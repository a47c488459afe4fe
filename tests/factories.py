"""factory_boy factories shared by the tests (Faker in en_GB)."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from portal.models import User
from portal.services import user_assign_role

PASSWORD = "correct-horse-battery"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def user_with_role(role: str | None = None, *, totp: bool = False, **fields) -> User:
    user = UserFactory(**fields)
    if role:
        user_assign_role(user=user, role=role)
    if totp:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        user.totp_secret = secret
    return user
