"""Which questions are shown: conditions on earlier answers, pages, and pruning answers to
questions that are no longer shown. The same for every kind."""

from __future__ import annotations

from django.db import models

from .base import OTHER, is_answered


class ConditionOp(models.TextChoices):
    EQUALS = "equals", "equals"
    ANY_OF = "any_of", "is any of"
    ANSWERED = "answered", "was answered"


def condition_met(condition: dict | None, answers: dict) -> bool:
    if not condition or not condition.get("key"):
        return True
    value = answers.get(condition["key"])
    op = condition.get("op") or ConditionOp.EQUALS
    if op == ConditionOp.ANSWERED:
        return is_answered(value)
    wanted = set(condition.get("values") or [])
    if op == ConditionOp.EQUALS:
        wanted = set(list(condition.get("values") or [])[:1])
    if isinstance(value, list):
        return bool(wanted & set(value))
    return value in wanted


def visible_questions(definition: dict, answers: dict) -> list[dict]:
    """Questions shown for these answers, in order. A condition looks only at answers to
    questions that are themselves shown, so hiding one question hides what depends on it."""
    shown: dict = {}
    out = []
    for q in definition["questions"]:
        if condition_met(q.get("show_if"), shown):
            out.append(q)
            if q["key"] in answers:
                shown[q["key"]] = answers[q["key"]]
    return out


def pages(definition: dict) -> list[list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for q in definition["questions"]:
        grouped.setdefault(q["page"], []).append(q)
    return [grouped[n] for n in sorted(grouped)]


def visible_pages(definition: dict, answers: dict) -> list[tuple[int, list[dict]]]:
    """(page number, visible questions) for every page that has a question to show."""
    keys = {q["key"] for q in visible_questions(definition, answers)}
    out = []
    for page in pages(definition):
        qs = [q for q in page if q["key"] in keys]
        if qs:
            out.append((page[0]["page"], qs))
    return out


def prune(definition: dict, answers: dict) -> dict:
    """Keep only answers to shown questions (plus their "other" text): anything else, such as
    an answer to a question a later change hid, is discarded, never stored."""
    kept = {}
    for q in visible_questions(definition, answers):
        key = q["key"]
        if is_answered(answers.get(key)):
            kept[key] = answers[key]
            other_key = f"{key}.other"
            chosen = answers[key] if isinstance(answers[key], list) else [answers[key]]
            if OTHER in chosen and answers.get(other_key):
                kept[other_key] = answers[other_key]
    return kept
