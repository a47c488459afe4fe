"""Small template helpers for the public site."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ counts|get_item:objective.pk }}`: look a value up in a dict."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
