"""Forms for the public answering pages and the admin tools.

A survey page is built from a version's frozen questions, so instead of a Django form class per
page, `page_fields` prepares what each question's GOV.UK markup needs (ids, names, labels, the
value typed, the error), and `questions.parse` reads the POST back.
"""

from __future__ import annotations

from django import forms

from .models import Audience
from .questions import OTHER, Kind, question_options


def _id(name: str) -> str:
    return name.replace(".", "-")


def page_fields(questions: list[dict], raw: dict, errors: dict[str, str], easy: bool) -> list[dict]:
    """One dict per question with everything `surveys/_question.html` renders."""
    out = []
    for q in questions:
        name = f"q-{q['key']}"
        kind = q["kind"]
        field = {
            "q": q, "kind": kind, "name": name, "id": _id(name),
            "label": q.get("easy_text") if easy and q.get("easy_text") else q["text"],
            "hint": q.get("help", ""), "error": errors.get(q["key"], ""),
            "required": q.get("required"), "symbol": q.get("symbol", "") if easy else "",
            "image_url": q.get("image_url", "") if easy else "",
            "fieldset": kind not in (Kind.NUMBER, Kind.SHORT_TEXT, Kind.LONG_TEXT),
        }
        options = question_options(q)
        if kind in (Kind.SINGLE, Kind.LIKERT, Kind.RATING, Kind.YES_NO, Kind.MULTIPLE):
            chosen = raw.get(name)
            chosen = chosen if isinstance(chosen, list) else [chosen]
            field["options"] = [
                {"id": f"{_id(name)}" if i == 0 else f"{_id(name)}-{i + 1}", "value": o["value"],
                 "label": o["easy_label"] if easy else o["label"], "symbol": o.get("symbol", ""),
                 "checked": o["value"] in chosen, "is_other": o["value"] == OTHER}
                for i, o in enumerate(options)
            ]
            field["multiple"] = kind == Kind.MULTIPLE
            field["inline"] = kind == Kind.YES_NO or (kind == Kind.RATING and not q.get("pictorial")
                                                      and len(options) <= 10)
            field["faces"] = kind == Kind.RATING and q.get("pictorial")
            if q.get("allow_other"):
                field["other"] = {"name": f"{name}-other", "id": f"{_id(name)}-other",
                                  "value": raw.get(f"{name}-other", "")}
        elif kind == Kind.DATE:
            field["parts"] = [
                {"name": f"{name}-{part}", "id": f"{_id(name)}" if part == "day" else f"{_id(name)}-{part}",
                 "label": part.capitalize(), "value": raw.get(f"{name}-{part}", ""),
                 "width": 4 if part == "year" else 2}
                for part in ("day", "month", "year")
            ]
        elif kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT, Kind.NUMBER):
            field["value"] = raw.get(name, "")
        elif kind == Kind.RANKING:
            items = q.get("options") or []
            field["ranked"] = [
                {"name": f"{name}-{o['value']}", "id": _id(name) if i == 0 else f"{_id(name)}-{o['value']}",
                 "label": o["easy_label"] if easy else o["label"],
                 "value": raw.get(f"{name}-{o['value']}", ""),
                 "choices": [str(n) for n in range(1, len(items) + 1)]}
                for i, o in enumerate(items)
            ]
        elif kind == Kind.MATRIX:
            field["rows"] = []
            for s_index, stmt in enumerate(q.get("statements") or []):
                row_name = f"{name}-{stmt['value']}"
                row_id = _id(name) if s_index == 0 else _id(row_name)
                field["rows"].append({
                    "label": stmt["easy_label"] if easy else stmt["label"], "name": row_name,
                    "options": [{"id": row_id if i == 0 else f"{_id(row_name)}-{i + 1}", "value": o["value"],
                                 "label": o["easy_label"] if easy else o["label"],
                                 "checked": raw.get(row_name) == o["value"]}
                                for i, o in enumerate(options)],
                })
        out.append(field)
    return out


class ResumeEmailForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254,
                             help_text="We will only use it to send you this link.",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class InvitationForm(forms.Form):
    """Engagement team: invite one person."""

    email = forms.EmailField(required=False, help_text="Leave empty to get a link to pass on yourself.")
    name = forms.CharField(required=False, max_length=200)
    reference = forms.CharField(required=False, max_length=100,
                                help_text="e.g. the EHCNA case number. Private: never shown in results.")
    send_at = forms.DateTimeField(required=False, help_text="Send later (YYYY-MM-DD HH:MM). Empty: now.")


class InvitationUploadForm(forms.Form):
    file = forms.FileField(help_text="A CSV file with the columns email, name (optional) and "
                                     "reference (optional).")

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
    outside_team = forms.BooleanField(required=False, label="Preview as shown outside the team "
                                                            "(small numbers suppressed)")
