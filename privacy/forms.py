"""Confirming that a person wants their account and data deleted."""

from django import forms


class AccountDeleteForm(forms.Form):
    """Confirming "delete my account and data": the password for accounts that have one (so a
    browser left signed in is not enough), or typing the word "delete" for youth forum members,
    who sign in by email link and have no password."""

    CONFIRM_WORD = "delete"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label="Your password",
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                help_text="To make sure it is you.",
                error_messages={"required": "Enter your password"},
            )
        else:
            self.fields["confirm"] = forms.CharField(
                label=f"Type the word {self.CONFIRM_WORD} to confirm",
                max_length=20,
                error_messages={"required": f"Type the word {self.CONFIRM_WORD} to confirm"},
            )

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not right. Try again")
        return password

    def clean_confirm(self):
        word = self.cleaned_data["confirm"].strip().lower()
        if word != self.CONFIRM_WORD:
            raise forms.ValidationError(f"Type the word {self.CONFIRM_WORD} to confirm")
        return word
