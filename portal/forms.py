from django import forms

from .roles import SELF_SIGNUP_ROLES, Role


class SignupForm(forms.Form):
    """Extra sign-up questions. Staff roles are never offered: administrators create those."""

    first_name = forms.CharField(
        max_length=150,
        required=False,
        label="First name (optional)",
        help_text="We only use this to greet you.",
    )
    role = forms.ChoiceField(
        label="Which best describes you?",
        choices=[(r.value, r.label) for r in SELF_SIGNUP_ROLES],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you are a parent or carer, or a professional"},
    )
    organisation = forms.CharField(
        max_length=200,
        required=False,
        label="Organisation (professionals only)",
        help_text="For example, the school or health service you work for.",
    )

    def signup(self, request, user):
        from .services import user_assign_role

        user.first_name = self.cleaned_data.get("first_name", "")
        if self.cleaned_data["role"] == Role.PROFESSIONAL:
            user.organisation = self.cleaned_data.get("organisation", "")
        user.save()
        user_assign_role(user=user, role=self.cleaned_data["role"])
