"""Template helpers for showing feedback text to staff.

`{% safeguarding_withheld %}` is what the inbox shows in place of a flagged item's text; the
words live in `feedback.selectors.SAFEGUARDING_WITHHELD`, which survey results and exports use
too, so every screen says the same thing."""

from django import template

from feedback.selectors import SAFEGUARDING_WITHHELD

register = template.Library()


@register.simple_tag
def safeguarding_withheld() -> str:
    return SAFEGUARDING_WITHHELD
