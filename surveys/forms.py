"""Forms for the public answering pages and the admin tools.

A survey page is built from a version's frozen questions, so instead of a Django form class per
page, `page_fields` prepares what each question's GOV.UK markup needs (ids, names, labels, the
value typed, the error), and `questions.parse` reads the POST back.
"""

from __future__ import annotations

from django import forms

from .models import Audience
from .questions import input_id, kind_of


def page_fields(questions: list[dict], raw: dict, errors: dict[str, str], easy: bool) -> list[dict]:
    """One dict per question with everything `surveys/_question.html` renders: the keys every
    question has, and what its kind adds (`QuestionKind.widget`)."""
    out = []
    for q in questions:
        name = f"q-{q['key']}"
        kind = kind_of(q)
        out.append(
            {
                "q": q,
                "kind": q["kind"],
                "name": name,
                "id": input_id(name),
                "label": q.get("easy_text") if easy and q.get("easy_text") else q["text"],
                "hint": q.get("help", ""),
                "error": errors.get(q["key"], ""),
                "required": q.get("required"),
                "symbol": q.get("symbol", "") if easy else "",
                "image_url": q.get("image_url", "") if easy else "",
                "fieldset": kind.fieldset,
                **kind.widget(q, name, raw, easy),
            }
        )
    return out


class ResumeEmailForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will only use it to send you this link.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class InvitationForm(forms.Form):
    """Engagement team: invite one person."""

    email = forms.EmailField(required=False, help_text="Leave empty to get a link to pass on yourself.")
    name = forms.CharField(required=False, max_length=200)
    reference = forms.CharField(
        required=False,
        max_length=100,
        help_text="e.g. the EHCNA case number. Private: never shown in results.",
    )
    send_at = forms.DateTimeField(required=False, help_text="Send later (YYYY-MM-DD HH:MM). Empty: now.")


class InvitationUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV file with the columns email, name (optional) and reference (optional)."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 2 MB.")
        return upload


class ResultsFilterForm(forms.Form):
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    audience = forms.ChoiceField(required=False, choices=[("", "All"), *Audience.choices])
    version = forms.IntegerField(required=False, min_value=1)
    outside_team = forms.BooleanField(
        required=False, label="Preview as shown outside the team (small numbers suppressed)"
    )
