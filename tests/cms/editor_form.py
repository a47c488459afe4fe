"""Submit a Wagtail editor form the way a browser without help would: every field as the page
rendered it (a select posts its selected option, or its first one if none is selected; a box
posts only when ticked), then the changes a person typed. This is how issue 19's "This field is
required" was found; building the POST by hand from what we expect would have hidden it."""

from __future__ import annotations

import json
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.depth = 0
        self.fields: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if a.get("id") == self.form_id:
                self.inside = True
            elif self.inside:
                self.depth += 1
            return
        if not self.inside or "disabled" in a:
            return
        if a.get("data-controller") == "w-block" and "data-w-block-arguments-value" in a:
            # A StreamField, drawn by Wagtail's script, which then posts "<id>-count" and each
            # block's fields. Only an empty one is posted here: tests that need blocks say so.
            value = json.loads(a["data-w-block-arguments-value"])[0]
            if value:
                raise NotImplementedError(f"StreamField {a.get('id')} has blocks: post them in changes")
            self.fields.append((f"{a['id']}-count", "0"))
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            if self.depth:
                self.depth -= 1
            else:
                self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            self.fields.append((self._textarea["name"], text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            options = select["options"]
            for o in options:
                if o["value"] is None:
                    o["value"] = o["text"].strip()
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not select["multiple"]:
                chosen = options[:1]
            self.fields.extend((select["name"], o["value"]) for o in chosen)


def form_fields(html: str, form_id: str = "page-edit-form") -> list[tuple[str, str]]:
    parser = _FormParser(form_id)
    parser.feed(html)
    return parser.fields


def submit_data(
    html: str, changes: dict[str, str], *, action: str | None = None, form_id: str = "page-edit-form"
) -> dict[str, list[str]]:
    """The POST a browser would send after the person typed `changes` and pressed `action`
    (e.g. "action-publish"; None is "Save draft"). Scripts that only add hidden inputs (the
    StreamField's) are stood in for; nothing is filled in that a person or the page did not."""
    data: dict[str, list[str]] = {}
    for name, value in form_fields(html, form_id):
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = [value]
    if action:
        data[action] = ["action-publish"]
    return data
