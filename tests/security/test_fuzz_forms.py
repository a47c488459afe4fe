"""Fuzzing every public form, and the public pages that read a query string or a link token.

Hypothesis sends junk through Django's test client to the real views: NUL bytes, invalid UTF-8,
lone surrogates, HTML and script, SQL fragments, very long strings, emoji and right-to-left
text, wrong values for choice fields, missing fields, duplicate keys, unexpected keys and raw
junk bodies. Whatever arrives, the answer is a page a person can act on:

- never a server error, and the status is one of ALLOWED;
- script that was sent never comes back unescaped, and a redirect never leaves the site;
- when a form comes back with errors, the page has a GOV.UK error summary and still shows,
  escaped, what the person typed.

Bodies are built byte by byte (a browser cannot send a lone surrogate, but a script can: it
arrives as the invalid UTF-8 ED A0 80). Runs are derandomised and keep no example database, so
CI sees the same examples every time. The cache is cleared before every example, so the rate
limits (tested in test_rate_limits.py) do not turn the run into a wall of 429s.

Alongside the fuzzing, deterministic tests check every form with the usual payloads (kept,
escaped, with an error summary), that sign-up offers no other role, that every public URL in
the URL configuration is fuzzed or says why not, and that every form answers a 10 MB body
with the 413 page and 10,000 fields with a clear 400 (CSRF checks on, as in production),
storing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from portal.roles import SELF_SIGNUP_ROLES, Role
from surveys.questions import LIKERT, Kind

pytestmark = pytest.mark.django_db

ALLOWED = {200, 302, 400, 403, 404, 405, 413, 429}


def fuzz(examples: int):
    return fuzz_settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# --- What is sent ------------------------------------------------------------------------------

XSS = [
    '<script>alert("fz1")</script>',
    '"><img src=x onerror=alert("fz2")>',
    "'><svg onload=alert('fz3')>",
    '</textarea><script>alert("fz4")</script>',
    '<iframe srcdoc="<script>alert(5)</script>"></iframe>',
]
SQL = [
    "' OR 1=1 --",
    "'; DROP TABLE feedback_feedbackitem; --",
    '" OR ""="',
    "1; SELECT pg_sleep(5)--",
    "%' UNION SELECT NULL, NULL--",
    "admin'/*",
]
UNICODE = [
    "😀👍🏽 family 👨‍👩‍👧",
    "مرحبا، نحن نريد المساعدة",
    "שלום עולם",
    "\u202egnp.exe\u202c",
    "Z̵̡̢a̶l̴g̷o̸",
    "𝕳𝖊𝖑𝖑𝖔",
    "\ufeffbom",
    "e\u0301cole",
    "ﷺ",
    "\u2028line\u2029para",
]
CONTROL = ["\x00", "a\x00b", "\x00" * 5, "\r\n", "\t\x0b\x0c", "\x1b[31mred", "\x7f", "  padded  "]
SURROGATES = ["\ud800", "a\udfffb", "\udc80\ud800"]
INVALID_UTF8 = [b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"caf\xe9"]
ODD_CHOICES = [
    "",
    " ",
    "0",
    "-1",
    "1e9999",
    "99999999999999999999",
    "true",
    "null",
    "None",
    "[]",
    "{}",
    "1.5",
    "NaN",
    "on",
    Role.ADMINISTRATOR.value,
    Role.ENGAGEMENT_TEAM.value,
]
JUNK_BODIES = [
    b"",
    b"&&&",
    b"=",
    b"==&=",
    b"%",
    b"%zz=%",
    b"a=%ff%fe%00",
    b"\xff\xfe\x00\x01",
    b"a" * 3000,
    b"a[]=1&a[]=2&a[b]=3",
    b'{"json": true}',
]

URLENCODED = "application/x-www-form-urlencoded"
OTHER_CONTENT_TYPES = [
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "text/plain",
    "application/json",
]

Value = str | bytes


def long_strings():
    return st.builds(
        lambda ch, n: ch * n,
        st.sampled_from(["a", "é", "😀", "<", "'", "\x00", " "]),
        st.sampled_from([201, 255, 501, 2_001, 5_001, 10_001, 100_000]),
    )


def text_values():
    payload = st.sampled_from(XSS + SQL + UNICODE + CONTROL + SURROGATES)
    return st.one_of(
        payload,
        st.text(max_size=40),
        # Any code point at all, lone surrogates and control characters included.
        st.text(st.characters(codec=None, exclude_categories=()), max_size=30),
        st.sampled_from(INVALID_UTF8),
        st.binary(max_size=20),
        long_strings(),
        st.tuples(st.text(max_size=15), payload, st.text(max_size=15)).map("".join),
    )


def choice(valid):
    return st.one_of(st.sampled_from(list(valid)), st.sampled_from(ODD_CHOICES), text_values())


def emails():
    return st.one_of(
        st.emails(),
        text_values(),
        st.sampled_from(
            [
                "name@example.org",
                "a@b",
                "x@example.org\x00",
                "<script>@x.org",
                "a" * 300 + "@example.org",
                "name@exa mple.org",
                "名前@例え.jp",
                "' OR 1=1 --@example.org",
            ]
        ),
    )


def numbers():
    return st.one_of(
        st.integers().map(str),
        st.floats().map(str),
        choice(["1", "2", "3"]),
        st.sampled_from(["1e999999", "1,000", " 3 ", "٣", "0x10", "-0", "1" * 5000]),
    )


def _raw(value: Value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def _pct(value: Value) -> str:
    return quote_from_bytes(_raw(value), safe="")


def _as_text(value: Value) -> str:
    return _raw(value).decode("utf-8", "replace")


@dataclass
class Sent:
    """One request body: key/value pairs in order (so duplicates stay), or raw junk."""

    pairs: list[tuple[Value, Value]] = field(default_factory=list)
    junk: bytes | None = None
    content_type: str = URLENCODED

    @property
    def structured(self) -> bool:
        """A body a browser could have sent: what the form-level checks apply to."""
        return self.junk is None and self.content_type == URLENCODED

    def encode(self) -> bytes:
        if self.junk is not None:
            return self.junk
        return "&".join(f"{_pct(k)}={_pct(v)}" for k, v in self.pairs).encode("ascii")

    def last(self, key: str) -> Value | None:
        """What Django's QueryDict.get() returns: the last value sent for the key."""
        found = None
        for k, v in self.pairs:
            if k == key:
                found = v
        return found

    def strings(self) -> list[str]:
        out = [_as_text(x) for pair in self.pairs for x in pair]
        if self.junk is not None:
            out.append(_as_text(self.junk))
        return out


@st.composite
def bodies(draw, fields: dict, rare: dict):
    """A form body: each field missing, sent once or sent two or three times; sometimes
    unexpected keys; sometimes a raw junk body or a content type the form does not expect."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return Sent(
            junk=draw(st.one_of(st.sampled_from(JUNK_BODIES), st.binary(max_size=300))),
            content_type=draw(st.sampled_from([URLENCODED, *OTHER_CONTENT_TYPES])),
        )
    # A browser always sends the CSRF token, so a real POST is never empty.
    pairs: list[tuple[Value, Value]] = [("csrfmiddlewaretoken", "x" * 64)]
    for name, strategy in fields.items():
        mode = draw(st.integers(0, 5))
        count = 0 if mode == 0 else draw(st.integers(2, 3)) if mode == 1 else 1
        pairs.extend((name, draw(strategy)) for _ in range(count))
    for name, strategy in rare.items():
        if draw(st.integers(0, 7)) == 0:
            pairs.append((name, draw(strategy)))
    if draw(st.integers(0, 4)) == 0:
        pairs.extend(draw(st.lists(st.tuples(text_values(), text_values()), max_size=3)))
    content_type = URLENCODED if roll > 2 else draw(st.sampled_from(OTHER_CONTENT_TYPES))
    return Sent(pairs=pairs, content_type=content_type)


@st.composite
def queries(draw, keys: list[str]):
    """A query string as a server would pass it on: percent-encoded, or raw bytes as Latin-1."""
    pairs = [(k, draw(text_values())) for k in draw(st.lists(st.sampled_from(keys), max_size=4))]
    pairs += draw(st.lists(st.tuples(text_values(), text_values()), max_size=1))
    if draw(st.integers(0, 5)) == 0:
        raw = draw(st.binary(max_size=60))
        return Sent(junk=raw), raw.decode("latin-1")
    sent = Sent(pairs=pairs)
    return sent, sent.encode().decode("ascii")


def link_tokens(real: list[str]):
    """Junk, plus real tokens with one character changed, cut short or added to."""
    tampered = (
        st.one_of(
            st.builds(
                lambda t, i, c: t[: i % len(t)] + c + t[i % len(t) + 1 :],
                st.sampled_from(real),
                st.integers(0, 200),
                st.sampled_from("aZ09-_:.%\x00"),
            ),
            st.builds(lambda t, n: t[:n], st.sampled_from(real), st.integers(1, 40)),
            st.builds(lambda t, s: _raw(t) + _raw(s), st.sampled_from(real), text_values()),
        )
        if real
        else st.nothing()
    )
    return st.one_of(
        text_values(), tampered, st.sampled_from(["..", ".", "%2e%2e", "x" * 43, "1", "-1", "0", "None"])
    )


# --- Checks -------------------------------------------------------------------------------------

TAG_LIKE = re.compile(r"<[A-Za-z/!]")


def assert_safe(response, sent: Sent, where: str) -> str:
    status = response.status_code
    assert status < 500, f"{where}: server error {status}"
    assert status in ALLOWED, f"{where}: unexpected status {status}"
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"])
        assert target.scheme in ("", "http", "https") and target.netloc in ("", "testserver"), (
            f"{where}: redirect leaves the site: {response['Location']!r}"
        )
    body = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("text/html"):
        for text in sent.strings():
            for payload in XSS:
                if payload in text:
                    assert payload not in body, f"{where}: script sent came back unescaped"
            if len(text) >= 12 and TAG_LIKE.search(text):
                assert text not in body, f"{where}: markup sent came back unescaped: {text[:80]!r}"
    return body


def _round_trips(value: Value | None) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def assert_form_error_page(body: str, sent: Sent, echo: dict[str, Callable[[str], str]], where: str):
    assert "govuk-error-summary" in body, f"{where}: form errors without a GOV.UK error summary"
    for name, normalise in echo.items():
        value = sent.last(name)
        if not _round_trips(value):
            continue
        expected = normalise(value)
        if expected:
            assert escape(expected) in body, f"{where}: lost what was typed in {name}: {value[:80]!r}"


def RAW(v: str) -> str:
    """Django forms re-render exactly what was sent."""
    return v


def NO_NUL(v: str) -> str:
    """Youth forum forms drop NUL bytes before the form sees them."""
    return v.replace("\x00", "")


def SURVEY_TEXT(v: str) -> str:
    """Survey answers are kept as surveys.questions._clean_text leaves them."""
    return v.replace("\r\n", "\n").strip().replace("\x00", "")


def SEARCH(v: str) -> str:
    return v.replace("\x00", "").strip()[:200]


# --- The data the forms need -------------------------------------------------------------------

EVERY_KIND = [
    {
        "key": "colour",
        "kind": Kind.SINGLE,
        "text": "Pick a colour",
        "options": "Red\nBlue\nGreen",
        "allow_other": True,
    },
    {
        "key": "why-blue",
        "kind": Kind.SHORT_TEXT,
        "text": "Why blue?",
        "show_if_key": "colour",
        "show_if_op": "equals",
        "show_if_values": "Blue",
    },
    {
        "key": "help",
        "kind": Kind.MULTIPLE,
        "text": "Which help?",
        "options": "Speech\nOT\nCAMHS",
        "allow_other": True,
        "required": False,
    },
    {"key": "agree", "kind": Kind.LIKERT, "text": "Things are good"},
    {
        "key": "happy",
        "kind": Kind.RATING,
        "text": "How happy?",
        "pictorial": True,
        "same_page_as_previous": True,
    },
    {"key": "plan", "kind": Kind.YES_NO, "text": "Do you have a plan?"},
    {
        "key": "count",
        "kind": Kind.NUMBER,
        "text": "How many?",
        "min_value": 0,
        "max_value": 100,
        "required": False,
        "same_page_as_previous": True,
    },
    {"key": "when", "kind": Kind.DATE, "text": "When?", "required": False},
    {"key": "school", "kind": Kind.SHORT_TEXT, "text": "School name", "required": False},
    {"key": "comment", "kind": Kind.LONG_TEXT, "text": "Anything else?", "same_page_as_previous": True},
    {
        "key": "order",
        "kind": Kind.RANKING,
        "text": "Put in order",
        "options": "Time\nMoney\nStaff",
        "required": False,
    },
    {
        "key": "grid",
        "kind": Kind.MATRIX,
        "text": "How much do you agree?",
        "statements": "Staff listen\nI am kept informed",
    },
]
LIKERT_VALUES = [v for v, _, _ in LIKERT]
SURVEY_FIELDS = {
    "q-colour": choice(["red", "blue", "green", "other"]),
    "q-colour-other": text_values(),
    "q-why-blue": text_values(),
    "q-help": choice(["speech", "ot", "camhs", "other"]),
    "q-help-other": text_values(),
    "q-agree": choice(LIKERT_VALUES),
    "q-happy": choice(["1", "2", "3", "4", "5"]),
    "q-plan": choice(["yes", "no"]),
    "q-count": numbers(),
    "q-when-day": numbers(),
    "q-when-month": numbers(),
    "q-when-year": numbers(),
    "q-school": text_values(),
    "q-comment": text_values(),
    "q-order-time": numbers(),
    "q-order-money": numbers(),
    "q-order-staff": numbers(),
    "q-grid-staff-listen": choice(LIKERT_VALUES),
    "q-grid-i-am-kept-informed": choice(LIKERT_VALUES),
}
# What each page must keep when it comes back with errors.
SURVEY_ECHO = {1: ["q-colour-other"], 2: ["q-why-blue"], 3: ["q-help-other"], 7: ["q-school", "q-comment"]}
SURVEY_SLUG = "fuzz-every-kind"


class World:
    """Builds, on first use, the survey, members, question, vote and draft the forms need."""

    def __init__(self, make_user):
        self.make_user = make_user
        self._made: dict[str, object] = {}
        self.consent_path = ""
        # One client for the whole test: a new Client loads the middleware again, and
        # WhiteNoise then rescans the static files (about 0.3 s a time).
        self.client = Client()

    def _once(self, key, build):
        if key not in self._made:
            self._made[key] = build()
        return self._made[key]

    @property
    def survey(self):
        from surveys.models import Audience
        from surveys.services import survey_create

        return self._once(
            "survey",
            lambda: survey_create(
                title="Every kind of question",
                slug=SURVEY_SLUG,
                audience=Audience.PARENT_CARER,
                intro="For fuzzing.",
                privacy_notice="Kept for 2 years.",
                questions=EVERY_KIND,
            ),
        )

    @property
    def moderator(self):
        return self._once("moderator", lambda: self.make_user(Role.ENGAGEMENT_TEAM))

    def new_member(self, age_band="16-17", approve=True):
        from youthforum import services

        member = services.member_join(nickname="Robin", age_band=age_band, contact_email="carer@example.org")
        if approve:
            services.member_approve(member=member, actor=self.moderator)
        return member

    @property
    def member(self):
        return self._once("member", self.new_member)

    @property
    def prompt(self):
        from youthforum.models import Prompt

        return self._once(
            "prompt",
            lambda: Prompt.objects.create(
                question="What would make college easier?",
                easy_read_question="What would help?",
                status=Prompt.Status.OPEN,
            ),
        )

    @property
    def vote_round(self):
        from youthforum.models import Topic, VoteRound

        def build():
            vote_round = VoteRound.objects.create(title="Our topics", dots_per_member=3, status="open")
            for title in ("Buses", "Clubs", "College"):
                Topic.objects.create(round=vote_round, title=title)
            return vote_round

        return self._once("vote_round", build)

    @property
    def terms_draft(self):
        from youthforum.models import TermsVersion

        return self._once(
            "terms", lambda: TermsVersion.objects.create(number=7, body="Draft rules", status="draft")
        )

    def anonymous(self) -> Client:
        """The client as a new visitor: no cookies, so no session."""
        self.client.cookies.clear()
        return self.client

    def with_draft(self) -> Client:
        self.survey  # noqa: B018 - built on first use
        client = self.anonymous()
        assert client.post(f"/surveys/{SURVEY_SLUG}/").status_code == 302
        return client

    def signed_in(self, member=None) -> Client:
        client = self.anonymous()
        client.force_login((member or self.member).user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    def real_tokens(self) -> list[str]:
        """Genuine link tokens, for tampering with."""
        from surveys import services as survey_services
        from youthforum import services as forum_services

        def build():
            _, invitation_token = survey_services.invitation_create(survey=self.survey)
            under_16 = self.new_member(age_band="13-15", approve=False)
            return [
                invitation_token,
                forum_services.consent_token(under_16.consents.get()),
                forum_services.sign_in_token(self.member),
            ]

        return self._once("tokens", build)


@pytest.fixture
def world(site, make_user):
    return World(make_user)


# --- The forms ----------------------------------------------------------------------------------


@dataclass
class Form:
    id: str
    url: Callable[[World], str]  # called after `prepare`
    fields: dict | Callable[[World], dict]
    prepare: Callable[[World], Client] = World.anonymous
    # Other URLs of the same form to draw from (a survey's pages).
    urls: Callable[[World], st.SearchStrategy[str]] | None = None
    rare: dict = field(default_factory=dict)
    echo: dict[str, Callable[[str], str]] = field(default_factory=dict)
    # Text on a 200 page that means the form was accepted (not re-rendered with errors).
    done: tuple[str, ...] = ()
    errors_status: tuple[int, ...] = (200,)
    is_form: bool = True
    after: Callable[[World], None] | None = None
    examples: int = 25


def at(path: str):
    return lambda world: path


def _fresh_consent(world: World) -> Client:
    from youthforum.services import consent_token

    member = world.new_member(age_band="13-15", approve=False)
    world.consent_path = f"/youth-forum/consent/{consent_token(member.consents.get())}/"
    return world.anonymous()


def _fresh_leaver(world: World) -> Client:
    return world.signed_in(world.new_member())


def _draft_choosing_blue(world: World) -> Client:
    from surveys.models import Response
    from surveys.services import response_save_answers

    client = world.with_draft()
    response_save_answers(
        response=Response.objects.filter(status="draft").latest("pk"), values={"colour": "blue"}
    )
    return client


def _view_reset(world: World) -> Client:
    from youthforum.models import View

    View.objects.filter(member=world.member).delete()
    world.prompt  # noqa: B018
    return world.signed_in()


def _terms_open(world: World) -> Client:
    world.terms_draft  # noqa: B018 - a draft open for comments
    return world.signed_in()


def _no_self_made_staff(world: World) -> None:
    from portal.models import User
    from portal.roles import user_is_staff_role

    moderator = world._made.get("moderator")
    users = User.objects.exclude(pk=getattr(moderator, "pk", None))
    assert not any(user_is_staff_role(u) for u in users), "sign-up gave someone a staff role"


def _survey_pages(world: World):
    # Weighted towards the pages with text to keep; 2 is shown because the draft chose blue.
    number = st.sampled_from([1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 6, 7, 7, 7, 8, 9, 0, 99, 2**40])
    return st.builds(
        lambda n, change: f"/surveys/{SURVEY_SLUG}/page/{n}/" + ("?change=1" if change else ""),
        number,
        st.integers(0, 5).map(lambda r: r == 0),
    )


def _topic_fields(world: World) -> dict:
    """One input per topic of the round, named after the topic's id, and one for no topic."""
    return {f"topic-{t.pk}": numbers() for t in world.vote_round.topics.all()} | {"topic-999999": numbers()}


FORMS = [
    Form(
        "login", at("/accounts/login/"), {"login": emails(), "password": text_values()}, echo={"login": RAW}
    ),
    Form(
        "signup",
        at("/accounts/signup/"),
        {
            "email": emails(),
            "password1": text_values(),
            "password2": text_values(),
            "first_name": text_values(),
            "organisation": text_values(),
            "role": choice([r.value for r in SELF_SIGNUP_ROLES] + [r.value for r in Role]),
        },
        echo={"email": RAW, "first_name": RAW, "organisation": RAW},
        after=_no_self_made_staff,
    ),
    Form("password-reset", at("/accounts/password/reset/"), {"email": emails()}, echo={"email": RAW}),
    Form("two-factor", at("/accounts/2fa/authenticate/"), {"code": numbers()}, is_form=False),
    Form(
        "wagtail-front-end-login",
        at("/_util/login/"),
        {"username": emails(), "password": text_values()},
        is_form=False,
    ),
    Form(
        "feedback",
        at("/feedback/"),
        {
            "text": text_values(),
            "audience": choice(["parent_carer", "young_person", "professional"]),
            "locality": choice(["", "north", "city", "south"]),
            "consent_to_quote": choice(["on"]),
            "wants_reply": choice(["on"]),
            "contact_name": text_values(),
            "contact_email": emails(),
        },
        rare={"website": text_values()},
        echo={"text": RAW, "contact_name": RAW, "contact_email": RAW},
    ),
    Form(
        "newsletter",
        at("/newsletter/"),
        {"email": emails(), "audience": choice(["parent_carer", "professional"])},
        echo={"email": RAW},
    ),
    Form(
        "survey-start",
        lambda w: f"/surveys/{w.survey.slug}/",
        {},
        rare={"website": text_values()},
        is_form=False,
    ),
    Form(
        "survey-page",
        at(f"/surveys/{SURVEY_SLUG}/page/1/"),
        SURVEY_FIELDS,
        prepare=_draft_choosing_blue,
        urls=_survey_pages,
        examples=80,
        rare={"save_later": st.just("1"), "toggle_easy_read": st.just("1")},
    ),
    Form(
        "survey-check",
        at(f"/surveys/{SURVEY_SLUG}/check/"),
        {"idempotency_key": text_values()},
        prepare=World.with_draft,
        rare={"website": text_values()},
    ),
    Form(
        "survey-save-by-email",
        at(f"/surveys/{SURVEY_SLUG}/save/"),
        {"email": emails()},
        prepare=World.with_draft,
        echo={"email": RAW},
        done=("We have sent the link",),
    ),
    Form(
        "youth-forum-join",
        at("/youth-forum/join/"),
        {
            "nickname": text_values(),
            "age_band": choice(["11-12", "13-15", "16-17", "18-25"]),
            "contact_email": emails(),
            "joined_with": choice(["", "worker", "parent"]),
        },
        echo={"nickname": NO_NUL, "contact_email": NO_NUL},
    ),
    Form(
        "youth-forum-sign-in",
        at("/youth-forum/sign-in/"),
        {"email": emails()},
        echo={"email": NO_NUL},
        done=("Check your email",),
    ),
    Form(
        "youth-forum-consent",
        lambda w: w.consent_path,
        {"answer": choice(["yes", "no"]), "name": text_values()},
        prepare=_fresh_consent,
        echo={"name": NO_NUL},
        done=("Thank you for saying yes", "We have deleted their details"),
    ),
    Form(
        "youth-forum-share-a-view",
        lambda w: f"/youth-forum/questions/{w.prompt.pk}/",
        {
            "feeling": choice(["happy", "okay", "not_sure", "sad", "angry"]),
            "words": text_values(),
            "consent_to_quote": choice(["on"]),
            "helped_by": choice(["", "worker", "parent"]),
            "send": choice(["1"]),
        },
        prepare=_view_reset,
        echo={"words": NO_NUL},
    ),
    Form(
        "youth-forum-vote",
        lambda w: f"/youth-forum/votes/{w.vote_round.pk}/",
        _topic_fields,
        prepare=World.signed_in,
        errors_status=(400,),
    ),
    Form(
        "youth-forum-terms-comment",
        at("/youth-forum/terms-of-reference/draft/"),
        {"text": text_values(), "helped_by": choice(["", "worker", "parent"])},
        prepare=_terms_open,
        echo={"text": NO_NUL},
    ),
    Form(
        "youth-forum-leave",
        at("/youth-forum/leave/"),
        {"confirm": choice(["on", "true", "1"])},
        prepare=_fresh_leaver,
        done=("You have left the youth forum",),
    ),
]


def _fields_for(form: Form, world: World) -> dict:
    return form.fields(world) if callable(form.fields) else form.fields


def _echo_for(form: Form, path: str) -> dict:
    if form.id != "survey-page":
        return form.echo
    match = re.search(r"/page/(\d+)/", path)
    return dict.fromkeys(SURVEY_ECHO.get(int(match.group(1)), []), SURVEY_TEXT)


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_fuzz_form(form: Form, world: World):
    fields = _fields_for(form, world)
    urls = form.urls(world) if form.urls else None

    @fuzz(form.examples)
    @given(data=st.data())
    def run(data):
        cache.clear()
        client = form.prepare(world)
        path = data.draw(urls, label="url") if urls is not None else form.url(world)
        sent = data.draw(bodies(fields, form.rare), label="body")
        response = client.post(path, data=sent.encode(), content_type=sent.content_type)
        where = f"POST {path} ({form.id})"
        body = assert_safe(response, sent, where)
        if (
            form.is_form
            and sent.structured
            and response.status_code in form.errors_status
            and not any(text in body for text in form.done)
        ):
            assert_form_error_page(body, sent, _echo_for(form, path), where)
        if form.after:
            form.after(world)

    run()


# Fuzzing finds the odd cases; these make sure every form is checked with the usual suspects.
KEEP = [*XSS, SQL[0], SQL[1], UNICODE[0], UNICODE[1], UNICODE[3], "a\x00b", "é" * 10_001]
# What else to send so that each form comes back with errors (the typed text alone may be valid).
FORCE_ERROR = {
    "login": {},
    "signup": {},
    "password-reset": {},
    "newsletter": {},
    "survey-save-by-email": {},
    "youth-forum-join": {},
    "youth-forum-sign-in": {},
    "feedback": {"audience": "nobody"},
    "youth-forum-consent": {"answer": "maybe"},
    "youth-forum-share-a-view": {"feeling": "furious", "send": "1"},
    "youth-forum-terms-comment": {"helped_by": "robot"},
}
SURVEY_KEEP = [  # (page, what to send besides the typed text, the field typed into)
    (1, {}, "q-colour-other"),  # no colour picked
    (2, {"suffix": "x" * 500}, "q-why-blue"),  # too long
    (3, {"q-help": "nonsense"}, "q-help-other"),
    (7, {}, "q-school"),  # the comment on the same page is required
    (7, {"q-school": "s" * 501}, "q-comment"),
]


def test_every_form_keeps_what_was_typed_escaped(world: World):
    problems = []

    def check(form, path, data, field, normalise):
        response = world.client.post(path, data)
        body = response.content.decode()
        expected = escape(normalise(data[field]))
        if response.status_code not in form.errors_status or "govuk-error-summary" not in body:
            problems.append(f"{form.id} {path} {field}: {response.status_code}, no error summary")
        elif expected not in body:
            problems.append(f"{form.id} {path}: lost {field}={data[field][:40]!r}")
        if any(payload in body for payload in XSS):
            problems.append(f"{form.id} {path}: script came back unescaped")

    by_id = {form.id: form for form in FORMS}
    for form_id, extra in FORCE_ERROR.items():
        form = by_id[form_id]
        for field_name, normalise in form.echo.items():
            for typed in KEEP:
                cache.clear()
                form.prepare(world)
                check(form, form.url(world), {**extra, field_name: typed}, field_name, normalise)
    survey_form = by_id["survey-page"]
    for page, extra, field_name in SURVEY_KEEP:
        for typed in KEEP:
            cache.clear()
            _draft_choosing_blue(world)
            data = {k: v for k, v in extra.items() if k != "suffix"}
            data[field_name] = typed + extra.get("suffix", "")
            check(survey_form, f"/surveys/{SURVEY_SLUG}/page/{page}/", data, field_name, SURVEY_TEXT)
    assert set(FORCE_ERROR) == {f.id for f in FORMS if f.echo and f.id != "survey-page"}
    assert problems == []


def test_sign_up_cannot_choose_any_other_role(world: World):
    from portal.models import User

    for role in [r.value for r in Role if r not in SELF_SIGNUP_ROLES] + ["", "1", "[]"]:
        response = world.anonymous().post(
            "/accounts/signup/",
            {
                "email": "someone@example.org",
                "password1": "a-long-pass-phrase-9",
                "password2": "a-long-pass-phrase-9",
                "role": role,
            },
        )
        assert response.status_code == 200 and "govuk-error-summary" in response.content.decode(), role
    assert not User.objects.exists()


# --- Links with tokens, and ids in paths ---------------------------------------------------------

LINKS = [
    ("GET", "/surveys/i/{}/"),
    ("POST", "/surveys/i/{}/"),
    ("GET", "/surveys/resume/{}/"),
    ("GET", "/surveys/unsubscribe/{}/"),
    ("POST", "/surveys/unsubscribe/{}/"),
    ("GET", "/surveys/{}/"),
    ("GET", f"/surveys/{SURVEY_SLUG}/page/{{}}/"),
    ("GET", "/youth-forum/consent/{}/"),
    ("POST", "/youth-forum/consent/{}/"),
    ("GET", "/youth-forum/sign-in/{}/"),
    ("POST", "/youth-forum/sign-in/{}/"),
    ("GET", "/newsletter/confirm/{}/"),
    ("POST", "/newsletter/confirm/{}/"),
    ("GET", "/newsletter/unsubscribe/{}/"),
    ("POST", "/newsletter/unsubscribe/{}/"),
    ("GET", "/accounts/confirm-email/{}/"),
    ("POST", "/accounts/confirm-email/{}/"),
    ("GET", "/accounts/password/reset/key/{}/"),
    ("GET", "/accounts/password/reset/key/1-{}/"),
    ("GET", "/plan/area/{}/"),
    ("GET", "/plan/objective/{}/"),
    ("GET", "/documents/{}/x.pdf"),
    ("GET", "/you-said-we-did/{}/"),
    # Ids in paths of member pages, signed in as a member.
    ("MEMBER", "/youth-forum/questions/{}/"),
    ("MEMBER", "/youth-forum/votes/{}/"),
    ("MEMBER", "/youth-forum/meetings/{}/"),
]


def test_fuzz_link_tokens(world: World):
    tokens = link_tokens(world.real_tokens())
    member_client, visitor = world.signed_in(), Client()

    @fuzz(150)
    @given(
        link=st.sampled_from(LINKS),
        token=tokens,
        body=bodies({"answer": choice(["yes", "no"]), "name": text_values()}, {}),
    )
    def run(link, token, body):
        cache.clear()
        method, pattern = link
        path = pattern.format(_pct(token))
        visitor.cookies.clear()
        client = member_client if method == "MEMBER" else visitor
        if method == "POST":
            response = client.post(path, data=body.encode(), content_type=body.content_type)
        else:
            response = client.get(path)
        assert_safe(response, Sent(pairs=[("token", token), *body.pairs]), f"{method} {path}")

    run()


# --- Query strings on public pages ---------------------------------------------------------------

QUERY_PAGES = {
    "/": ["easy_read"],
    "/plan/": ["plan", "easy_read"],
    "/plan.json": ["plan"],
    "/plan.csv": ["plan"],
    "/you-said-we-did/": ["objective", "area", "theme", "audience", "status", "year", "view", "page"],
    "/you-said-we-did/feed/": ["objective"],
    "/you-said-we-did/rss/": ["area"],
    "/search/": ["q", "page"],
    "/news/": ["page"],
    "/events/": ["page"],
    "/easy-read/": ["next", "on"],
    "/surveys/": ["page"],
    f"/surveys/{SURVEY_SLUG}/": ["easy_read"],
    "/feedback/": ["text", "audience"],
    "/youth-forum/": ["view"],
    "/youth-forum/join/": ["nickname"],
    "/youth-forum/terms-of-reference/": ["version"],
    "/newsletter/": ["email"],
    "/accounts/login/": ["next", "login"],
    "/accounts/signup/": ["next", "email"],
}


def test_fuzz_query_strings(world: World, plan):
    world.survey  # noqa: B018

    @fuzz(150)
    @given(page=st.sampled_from(sorted(QUERY_PAGES)), data=st.data())
    def run(page, data):
        cache.clear()
        sent, query = data.draw(queries(QUERY_PAGES[page]), label="query")
        response = world.anonymous().get(page, QUERY_STRING=query)
        body = assert_safe(response, sent, f"GET {page}?{query[:200]}")
        if page == "/search/" and response.status_code == 200 and _round_trips(sent.last("q")):
            shown = SEARCH(sent.last("q"))
            if shown and query.isascii():
                assert escape(shown) in body, "search lost what was typed"

    run()


# Public URLs with nothing to fuzz (no form, no query string read, no id in the path).
NOT_FUZZED = {
    "healthz": "no input",
    "portal:home": "signed-in page with no input",
    "feedback:thanks": "no input",
    "surveys:done": "no input",
    "youthforum:joined": "no input",
    "youthforum:my_views": "member page with no input",
    "youthforum:meetings": "member page with no input",
    "youthforum:report": "member page with no input",
    # Signed-in account pages (not public), tested in tests/portal/test_subject_access.py.
    "privacy:data_download": "signed-in, no input",
    "privacy:account_delete": "signed-in account page, not public",
    "privacy:account_deleted": "no input",
}


def test_every_public_url_is_fuzzed_or_says_why_not(world: World):
    """Enumerated from the URL configuration, like the permission matrix: a new public URL
    fails here until it is fuzzed or listed in NOT_FUZZED."""
    from django.urls import resolve

    from tests.security.test_permission_matrix import url_inventory

    fuzzed = []
    for form in FORMS:
        form.prepare(world)
        fuzzed.append(form.url(world))
    fuzzed += [pattern.format("1-x").replace("/1-x/x.pdf", "/1/x.pdf") for _, pattern in LINKS]
    fuzzed += list(QUERY_PAGES)
    covered = {resolve(urlsplit(path).path).view_name for path in fuzzed}
    public = {name for route, name in url_inventory() if not route.startswith(("admin/", "board/"))}
    unclassified = sorted(public - covered - set(NOT_FUZZED))
    assert unclassified == [], f"fuzz these public URLs, or say in NOT_FUZZED why not: {unclassified}"
    assert {"account_login", "account_signup", "account_reset_password", "wagtail_serve"} <= covered


# --- Too large, too many fields ------------------------------------------------------------------


def _stored_counts() -> dict[str, int]:
    from cms.models import NewsletterSubscription
    from feedback.models import FeedbackItem
    from portal.models import User
    from surveys.models import Response
    from youthforum.models import Member, TermsComment, View

    models = [FeedbackItem, NewsletterSubscription, User, Member, View, TermsComment]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["answered"] = Response.objects.exclude(answers={}).count()
    counts["submitted"] = Response.objects.filter(status="submitted").count()
    return counts


def _production_like(form: Form, world: World) -> tuple[Client, str]:
    """The form's client and URL, with CSRF checks on as in production (the CSRF middleware
    reads the body first, so the limits apply to every form, whatever the view does)."""
    world.client.handler.enforce_csrf_checks = False  # while `prepare` sets the scene
    cache.clear()
    client = form.prepare(world)
    path = form.url(world)
    client.handler.enforce_csrf_checks = True
    client.cookies["csrftoken"] = "a" * 32
    return client, path


def test_ten_megabyte_body_gets_the_friendly_413_on_every_form(world: World):
    big = "a" * (10 * 1024 * 1024)
    problems = []
    for form in FORMS:
        for encoding in ("urlencoded", "multipart"):
            client, path = _production_like(form, world)
            before = _stored_counts()
            if encoding == "urlencoded":
                response = client.post(
                    path, data=f"csrfmiddlewaretoken={'a' * 32}&text={big}", content_type=URLENCODED
                )
            else:
                response = client.post(path, {"csrfmiddlewaretoken": "a" * 32, "text": big})
            html = response.content.decode()
            if not (
                response.status_code == 413
                and "What you sent is too large" in html
                and "Nothing was saved" in html
                and "govuk-heading-l" in html
            ):
                problems.append(f"{form.id} ({encoding}) POST {path}: {response.status_code}")
            if _stored_counts() != before:
                problems.append(f"{form.id} ({encoding}): something was stored")
    assert problems == []


def test_ten_thousand_fields_get_a_clear_400_on_every_form(world: World):
    body = f"csrfmiddlewaretoken={'a' * 32}&" + "&".join(f"f{i}=1" for i in range(10_000))
    problems = []
    for form in FORMS:
        client, path = _production_like(form, world)
        before = _stored_counts()
        response = client.post(path, data=body, content_type=URLENCODED)
        html = response.content.decode()
        if not (
            response.status_code == 400
            and "far more answers than it has questions" in html
            and "Nothing was saved" in html
        ):
            problems.append(f"{form.id} POST {path}: {response.status_code}")
        if _stored_counts() != before:
            problems.append(f"{form.id}: something was stored")
    assert problems == []
