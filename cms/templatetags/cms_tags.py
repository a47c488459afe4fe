"""Small template helpers for the public site."""

from django import template

from portal import disclosure

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ counts|get_item:objective.pk }}`: look a value up in a dict."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def published_count(n):
    """`{{ p.feedback_count|published_count }}`: a count of people as the public may see it
    (the one rule, `portal.disclosure`): the number, "0", or "fewer than 5"."""
    return disclosure.text(disclosure.count(int(n or 0)))
