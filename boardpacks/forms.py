"""The engagement team's form for building a pack for any date range."""

from django import forms

from portal.models import Plan


class BuildPackForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.all(),
        to_field_name="code",
        empty_label=None,
        help_text="The plan the pack reports on.",
    )
    date_from = forms.DateField(label="From", help_text="First day to include, for example 2024-06-01.")
    date_to = forms.DateField(label="To", help_text="Last day to include, for example 2024-06-30.")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The last day must be the same as or after the first day.")
        if start and end and (end - start).days > 366:
            self.add_error("date_to", "A pack can cover at most a year.")
        return data
