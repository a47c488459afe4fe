"""Forms: the public feedback form, staff entry, import upload, triage actions."""

from django import forms
from django.core.exceptions import ValidationError

from portal.models import Objective

from . import conf
from .models import OFFLINE_CHANNELS, Audience, Channel, FeedbackItem, Locality, Sentiment, Theme


def _no_nul(value: str) -> str:
    return (value or "").replace("\x00", "")


class NulStrippingCharField(forms.CharField):
    def to_python(self, value):
        return super().to_python(_no_nul(value) if isinstance(value, str) else value)


class NulStrippingEmailField(forms.EmailField):
    def to_python(self, value):
        return super().to_python(_no_nul(value) if isinstance(value, str) else value)


PUBLIC_AUDIENCES = [(a.value, a.label) for a in Audience if a != Audience.UNKNOWN]


class PublicFeedbackForm(forms.Form):
    """Anyone may give feedback, anonymously. Contact details only if they want a reply."""

    text = NulStrippingCharField(
        label="What would you like to tell us?",
        help_text="Tell us what is working and what is not. Do not include names or other "
        "details that could identify a child.",
        widget=forms.Textarea,
        error_messages={"required": "Enter your feedback"},
    )
    audience = forms.ChoiceField(
        label="Are you a…",
        choices=PUBLIC_AUDIENCES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you are a parent or carer, a young person or a professional"
        },
    )
    locality = forms.ChoiceField(
        label="Which part of Oxfordshire? (optional)",
        required=False,
        choices=[("", "Prefer not to say"), *[(v, lbl) for v, lbl in Locality.choices if v]],
        widget=forms.RadioSelect,
    )
    consent_to_quote = forms.BooleanField(
        label="You may quote what I wrote, without my name, in reports and 'You said, we did' updates",
        required=False,
    )
    wants_reply = forms.BooleanField(label="I would like a reply", required=False)
    contact_name = NulStrippingCharField(
        label="Your name (optional)",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = NulStrippingEmailField(
        label="Email address (only if you want a reply)",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    # Honeypot: hidden from people, filled in by bots.
    website = forms.CharField(required=False, label="Leave this empty")

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) > conf.max_text_length():
            raise ValidationError(f"Feedback must be {conf.max_text_length():,} characters or fewer")
        return text

    def clean(self):
        data = super().clean()
        if data.get("wants_reply") and not data.get("contact_email"):
            self.add_error("contact_email", "Enter your email address so we can reply")
        return data


class StaffEntryForm(forms.Form):
    """Staff record feedback from offline channels."""

    text = NulStrippingCharField(
        label="What was said", widget=forms.Textarea, error_messages={"required": "Enter the feedback"}
    )
    channel = forms.ChoiceField(label="Channel", choices=[(c.value, c.label) for c in OFFLINE_CHANNELS])
    received_on = forms.DateField(
        label="Date given",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    audience = forms.ChoiceField(label="Who gave it", choices=Audience.choices)
    locality = forms.ChoiceField(label="Locality", choices=Locality.choices, required=False)
    consent_to_quote = forms.BooleanField(label="Consent to quote anonymously", required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel (.xlsx) file",
        help_text="Columns: text, channel, date, audience, locality (optional), "
        "consent_to_quote (optional: yes/no).",
    )
    import_valid_rows = forms.BooleanField(
        label="If some rows have errors, import the valid rows anyway", required=False
    )


DATE_FILTER_MESSAGE = "Enter a real date, for example 2024-06-30. The list is not filtered by it"


class InboxFilterForm(forms.Form):
    """The triage inbox's filter bar (a GET form), for the engagement team. The query string is
    whatever anyone typed or pasted into the address bar, so it is checked here: a malformed
    value is shown in the bar with a clear message and left out of the filtering (the other
    filters still apply), and the page never fails. Choices are what the inbox offers: the
    current plan's objective codes and the theme taxonomy."""

    SELECTS = (
        "status",
        "channel",
        "audience",
        "sentiment",
        "analysis_state",
        "locality",
        "objective",
        "theme",
    )

    status = forms.ChoiceField(required=False, choices=FeedbackItem.Status.choices)
    channel = forms.ChoiceField(required=False, choices=Channel.choices)
    audience = forms.ChoiceField(required=False, choices=Audience.choices)
    sentiment = forms.ChoiceField(required=False, choices=Sentiment.choices)
    analysis_state = forms.ChoiceField(required=False, choices=FeedbackItem.AnalysisState.choices)
    locality = forms.ChoiceField(required=False, choices=[c for c in Locality.choices if c[0]])
    objective = forms.ChoiceField(required=False)
    theme = forms.ChoiceField(required=False)
    date_from = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": DATE_FILTER_MESSAGE},
    )
    date_to = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": DATE_FILTER_MESSAGE},
    )
    q = NulStrippingCharField(
        required=False,
        max_length=200,
        error_messages={
            "max_length": "Search text must be 200 characters or fewer. The list is not filtered by it"
        },
    )
    set_aside = forms.ChoiceField(
        required=False, choices=[("", "Hide"), ("yes", "Only set aside"), ("all", "Show all")]
    )
    # Not triaged within FEEDBACK_TRIAGE_OVERDUE_HOURS: the safety net for items nobody picked up.
    overdue = forms.ChoiceField(required=False, choices=[("", "All"), ("yes", "Only overdue")])

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        codes = (
            Objective.objects.filter(area__plan__is_current=True)
            .order_by("area__code", "position", "code")
            .values_list("code", flat=True)
        )
        self.fields["objective"].choices = [(c, c) for c in codes]
        self.fields["theme"].choices = [(t, t) for t in Theme.objects.values_list("label", flat=True)]
        for name in self.SELECTS:
            self.fields[name].error_messages["invalid_choice"] = (
                "Choose one of the options. The list is not filtered by it"
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                "The 'to' date must be the same as or after the 'from' date. The list is not filtered by it",
            )
        return data

    def filters(self) -> dict:
        """The valid, non-empty filters, for `feedback.selectors.feedback_inbox` (call after
        `is_valid()`; Django leaves fields with errors out of cleaned_data)."""
        return {
            k: v.strip() if isinstance(v, str) else v
            for k, v in self.cleaned_data.items()
            if v not in ("", None)
        }


class TriageForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "No change"), *FeedbackItem.Status.choices], required=False)
    close_reason = NulStrippingCharField(required=False, max_length=200)
    owner = forms.IntegerField(required=False, widget=forms.Select)
    owner_organisation = NulStrippingCharField(required=False, max_length=200)
    response_url = NulStrippingCharField(required=False, max_length=300)
    note = NulStrippingCharField(required=False, widget=forms.Textarea)
    objectives = NulStrippingCharField(required=False, help_text="Objective codes, comma separated")


__all__ = ["PublicFeedbackForm", "StaffEntryForm", "ImportForm", "InboxFilterForm", "TriageForm", "Channel"]
