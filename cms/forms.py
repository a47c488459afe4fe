"""Public forms of the CMS: newsletter sign-up."""

from django import forms

from .models import NewsletterAudience


class NewsletterForm(forms.Form):
    """Who the newsletter is for, and where to send it. The confirmation email does the rest."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send you an email to check it is yours.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
        },
    )
    audience = forms.ChoiceField(
        label="Which newsletter do you want?",
        choices=NewsletterAudience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which newsletter you want"},
    )
