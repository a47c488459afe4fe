"""Member-facing forms, in easy-read words. They parse input; the rules live in services."""

from django import forms

from .models import AgeBand, Feeling, Helper, View


class CleanCharField(forms.CharField):
    """A CharField that drops NUL bytes instead of failing on them (junk never causes a 500)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\x00", "")
        return super().to_python(value)


class JoinForm(forms.Form):
    nickname = CleanCharField(
        label="What should we call you?",
        max_length=40,
        help_text="Your first name or a nickname. Other members will not see it.",
        error_messages={"required": "Tell us what to call you"},
    )
    age_band = forms.ChoiceField(
        label="How old are you?",
        choices=AgeBand.choices,
        widget=forms.RadioSelect,
        help_text="The forum is for young people aged 11 to 25.",
        error_messages={"required": "Choose how old you are"},
    )
    contact_email = forms.EmailField(
        label="Email address for sign-in links",
        max_length=254,
        help_text="If you are under 16, use the email of your parent, carer or worker. "
        "We will ask them to say yes.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address like name@example.com",
        },
    )
    joined_with = forms.ChoiceField(
        label="Who is filling this in?",
        choices=Helper.choices,
        widget=forms.RadioSelect,
        required=False,
        initial="",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"


class ConsentForm(forms.Form):
    answer = forms.ChoiceField(
        label="Do you agree?",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes, they can join"), ("no", "No, delete their details")],
        error_messages={"required": "Choose yes or no"},
    )
    name = CleanCharField(
        label="Your name", max_length=100, required=False, help_text="So we know who agreed."
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") == "yes" and not data.get("name"):
            self.add_error("name", "Enter your name")
        return data


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The email you gave when you joined.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address like name@example.com",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class ViewForm(forms.Form):
    feeling = forms.ChoiceField(
        label="How do you feel about it?",
        choices=Feeling.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Choose one picture. You can skip this.",
    )
    words = CleanCharField(
        label="Tell us in your own words",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="You can skip this. Do not write names.",
        error_messages={"max_length": "Use 2000 letters or fewer"},
    )
    consent_to_quote = forms.BooleanField(
        label="Other people can read my words",
        required=False,
        help_text="We never show your name. We may read your words to the improvement board.",
    )
    helped_by = forms.ChoiceField(
        label="Who is filling this in?",
        choices=Helper.choices,
        widget=forms.RadioSelect,
        required=False,
        initial="",
    )

    def __init__(self, *args, sending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending = sending

    def clean(self):
        data = super().clean()
        if self.sending and not data.get("feeling") and not data.get("words") and not self.errors:
            self.add_error("feeling", "Choose a picture, write some words, or both")
        return data

    @classmethod
    def initial_from(cls, view: View | None) -> dict:
        if view is None:
            return {"helped_by": ""}
        return {
            "feeling": view.feeling,
            "words": view.words,
            "consent_to_quote": view.consent_to_quote,
            "helped_by": view.helped_by,
        }


class TermsCommentForm(forms.Form):
    text = CleanCharField(
        label="Your comment",
        widget=forms.Textarea,
        max_length=2000,
        help_text="What would you change or keep? Do not write names.",
        error_messages={"required": "Write your comment", "max_length": "Use 2000 letters or fewer"},
    )
    helped_by = forms.ChoiceField(
        label="Who is filling this in?",
        choices=Helper.choices,
        widget=forms.RadioSelect,
        required=False,
        initial="",
    )


class LeaveForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, I want to leave and delete my data",
        error_messages={"required": "Tick the box to say you want to leave"},
    )


class HideForm(forms.Form):
    """Moderator: hide a view with a reason the member will read kindly."""

    reason = forms.ChoiceField(choices=View.HideReason.choices)
    note = CleanCharField(required=False, max_length=300)
