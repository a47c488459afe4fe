"""The one small-number rule (`portal.disclosure`), proved once against every surface that shows
counts of people outside the engagement team:

- survey results as shown outside the team (`surveys.selectors.survey_results(suppress=True)`
  and the team's preview page of them),
- the public plan tracker and its objective and area pages (`cms.selectors.plan_feedback`),
- a board pack's data, page and chart downloads (`boardpacks`),
- the youth forum's vote results and feelings, and the youth representative's report.

The rules: no count from 1 to threshold - 1 appears; zero appears as 0; nothing hidden can be
worked out by subtraction (for every set of counts shown with their total, either the total is
hidden, or no cell is, or at least two are and the hidden ones do not add up to a small number);
`SMALL_NUMBER_THRESHOLD` changes every surface; percentages and KPI targets are never suppressed
as counts. Data is built through each app's own services (feedback through intake, analysis
and staff tag decisions, surveys answered through the response services, youth forum members,
views and dots through theirs; the board pack from the seeded month of tests/boardpacks).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal import disclosure
from portal.disclosure import NOT_SHOWN
from portal.roles import Role
from tests.auth import sign_in
from tests.people import run_on_commit

pytestmark = pytest.mark.django_db

THRESHOLDS = (3, 5, 10)
SURFACES = ("survey", "tracker", "board_pack", "youth_forum")


# --- What a surface shows ----------------------------------------------------------------------


@dataclass
class Shown:
    """Everything one surface shows at the current threshold."""

    counts: dict[str, object]  # every count of people shown, by where it is shown
    groups: dict[str, tuple[list, object]]  # counts shown together with their total
    zero: dict[str, object]  # counts that are really 0
    figures: list[tuple[object, object]] = field(default_factory=list)  # (shown, true): percentages, KPIs
    pages: str = ""  # the rendered pages and downloads


def _as_shown(words: str):
    """A count as the public pages put it in words, back into a shown value."""
    if words == NOT_SHOWN:
        return NOT_SHOWN
    if words.startswith("fewer than "):
        return None
    return int(words)


def _small_ints(text: str, threshold: int, nouns: str) -> list[str]:
    """Numbers from 1 to threshold - 1 written before one of these nouns in a page."""
    found = re.findall(rf"(?<![\d.,-])(\d+) (?:{nouns})\b", text)
    return [n for n in found if 0 < int(n) < threshold]


# --- The surfaces, built through the services --------------------------------------------------


def _survey(request) -> Callable[[], Shown]:
    from surveys import selectors, services
    from surveys.models import Audience
    from surveys.questions import Kind

    survey = services.survey_create(
        title="How often",
        slug="how-often",
        audience=Audience.PARENT_CARER,
        intro="i",
        privacy_notice="p",
        questions=[
            {
                "key": "often",
                "kind": Kind.SINGLE,
                "text": "How often did we call back?",
                "options": "Always\nOften\nSometimes\nRarely\nNever",
            },
            {"key": "reply", "kind": Kind.YES_NO, "text": "Did you get a reply?"},
        ],
    )
    # The issue's example: answered 24 = 9 + 5 + 6 + 4, and nobody said "never".
    answers = ["always"] * 9 + ["often"] * 5 + ["sometimes"] * 6 + ["rarely"] * 4
    invitations = [services.invitation_create(survey=survey)[0] for _ in range(10)]
    for i, often in enumerate(answers):
        response = services.response_start(survey=survey, invitation=invitations[i] if i < 8 else None)
        services.response_save_answers(
            response=response, values={"often": often, "reply": "no" if i < 4 else "yes"}
        )
        services.response_submit(response=response)
    client = request.getfixturevalue("client")
    sign_in(client, request.getfixturevalue("make_user")(Role.ENGAGEMENT_TEAM, totp=True))

    def read() -> Shown:
        result = selectors.survey_results(survey=survey, suppress=True)
        counts = {
            "responses": result.responses,
            "invitations": result.invitations,
            "invited responses": result.invited_responses,
        }
        groups, figures = {}, []
        for q in result.questions:
            counts[f"{q.key} answered"] = q.answered
            counts.update({f"{q.key}: {r.label}": r.count for r in q.rows})
            groups[q.key] = ([r.count for r in q.rows], q.answered)
            figures += [
                (r.percent, round(100 * r.count / q.answered, 1))
                for r in q.rows
                if disclosure.is_shown(r.count) and disclosure.is_shown(q.answered)
            ]
        if disclosure.is_shown(result.invitations) and disclosure.is_shown(result.invited_responses):
            figures.append((result.rate, round(100 * result.invited_responses / result.invitations, 1)))
        never = next(r for r in result.questions[0].rows if r.label == "Never")
        page = client.get(f"/admin/survey-tools/{survey.pk}/results/?outside_team=on").content.decode()
        return Shown(counts, groups, {"never": never.count}, figures, page)

    return read


def _tracker(request) -> Callable[[], Shown]:
    from cms.selectors import plan_feedback
    from feedback import services as feedback_services
    from portal.models import Objective

    request.getfixturevalue("site")
    plan = request.getfixturevalue("plan")
    staff = request.getfixturevalue("make_user")(Role.ENGAGEMENT_TEAM)
    by_area: dict = {}
    for o in Objective.objects.for_plan(plan).select_related("area").order_by("area__position", "position"):
        by_area.setdefault(o.area, []).append(o)
    area, (a, b, quiet, *_rest) = next((k, v) for k, v in by_area.items() if len(v) >= 3)
    other = next(v[0] for k, v in by_area.items() if k != area)
    texts = [
        "The wait for the EHC plan was far too long and nobody called us back.",
        "Our caseworker listened and the annual review went well this year.",
        "The school did not follow the plan and my son lost his support.",
    ]
    for objective, n in ((a, 9), (b, 3), (other, 6)):
        for i in range(n):
            item = run_on_commit(
                feedback_services.feedback_ingest,
                text=f"{texts[i % 3]} ({objective.code} {i})",
                channel="web_form",
                audience="parent_carer",
            )
            feedback_services.feedback_analyse(item_id=item.pk, skip_if_done=True)
            item.refresh_from_db()
            feedback_services.feedback_tags_confirm(item=item, actor=staff, codes=[objective.code])
    client = request.getfixturevalue("client")
    urls = ["/plan/", f"/plan/area/{area.code}/"] + [
        f"/plan/objective/{o.url_code}/" for o in (a, b, quiet, other)
    ]

    def read() -> Shown:
        feedback = plan_feedback(plan)
        volumes = {pk: _as_shown(v) for pk, v in feedback.volume_by_objective.items()}
        counts = {f"volume {pk}": v for pk, v in volumes.items()}
        groups, figures = {}, []
        summaries = {f"objective {o.code}": feedback.objective(o.pk) for o in (a, b, quiet, other)}
        summaries[f"area {area.code}"] = feedback.area(area.pk)
        for name, summary in summaries.items():
            total = _as_shown(summary["total"])
            counts[f"{name} total"] = total
            cells = [_as_shown(s["count"]) for s in summary["sentiments"]]
            counts.update(
                {f"{name} {s['value']}": c for s, c in zip(summary["sentiments"], cells, strict=True)}
            )
            if cells:
                groups[name] = (cells, total)
            figures += [
                (s["percent"], round(100 * c / total))
                for s, c in zip(summary["sentiments"], cells, strict=True)
                if disclosure.is_shown(c)
            ]
        # The area page lists its objectives' volumes with the area's total.
        groups[f"area {area.code} objectives"] = (
            [volumes[o.pk] for o in by_area[area]],
            _as_shown(summaries[f"area {area.code}"]["total"]),
        )
        cache.clear()  # the public pages are cached: read them as they are now
        pages = "".join(client.get(url).content.decode() for url in urls)
        return Shown(counts, groups, {"quiet objective": volumes[quiet.pk]}, figures, pages)

    return read


def _board_pack(request) -> Callable[[], Shown]:
    from boardpacks.models import BoardPackChart
    from boardpacks.services import board_pack_build
    from portal.models import KPI
    from tests.boardpacks.conftest import JUNE, seed_month

    plan = request.getfixturevalue("plan")
    seeded = seed_month(plan)
    client = request.getfixturevalue("client")
    sign_in(client, request.getfixturevalue("make_user")(Role.BOARD_MEMBER, totp=True))
    sentiments = ["negative", "neutral", "positive", "not_analysed"]

    def objective(data, code):
        return next(o for area in data["areas"] for o in area["objectives"] if o["code"] == code)

    def read() -> Shown:
        pack = board_pack_build(plan=plan, period_start=JUNE[0], period_end=JUNE[1], notify=False)
        data = pack.data
        head = data["headline"]
        counts, groups, figures = {}, {}, []
        for part in ("by_channel", "by_audience"):
            for slot in ("this", "last"):
                groups[f"{part} {slot}"] = ([r[slot] for r in head[part]], head["feedback"][slot])
                counts.update({f"{part} {slot} {r['key']}": r[slot] for r in head[part]})
        counts.update(
            {
                "feedback this": head["feedback"]["this"],
                "feedback last": head["feedback"]["last"],
                "alerts raised": head["safeguarding"]["raised"],
                "alerts closed": head["safeguarding"]["closed"],
                "responded": head["responded"],
            }
        )
        groups["alerts"] = ([head["safeguarding"]["closed"]], head["safeguarding"]["raised"])
        for row in data["overall_trend"]:
            groups[f"trend {row['label']}"] = ([row[s] for s in sentiments], row["total"])
        for area in data["areas"]:
            for o in area["objectives"]:
                groups[f"{o['code']} sentiment"] = (
                    [o["sentiment"]["counts"][s] for s in sentiments],
                    o["volume"]["this"],
                )
                counts.update({f"{o['code']} volume {k}": v for k, v in o["volume"].items()})
                counts.update({f"{o['code']} {s}": o["sentiment"]["counts"][s] for s in sentiments})
                counts.update({f"{o['code']} theme {t['label']}": t["count"] for t in o["themes"]})
                for row in o["trend"]:
                    groups[f"{o['code']} trend {row['label']}"] = ([row[s] for s in sentiments], row["total"])
                for s in o["surveys"]:
                    counts[f"{o['code']} answered {s['question']}"] = s["answered"]
        rep = data["representation"]
        groups["heard by audience"] = (
            [r["feedback"] for r in rep["audience"]] + [rep["audience_not_known"]],
            head["feedback"]["this"],
        )
        groups["heard by locality"] = (
            [r["feedback"] for r in rep["locality"]] + [rep["locality_not_given"]],
            head["feedback"]["this"],
        )
        for s in head["surveys"]:
            counts[f"survey {s['title']} responses"] = s["responses"]
            counts[f"survey {s['title']} invitations"] = s["invitations"]
        # KPI figures and targets are the plan's own numbers, never hidden as counts.
        for k in data["kpis"]:
            kpi = KPI.objects.get(plan=plan, code=k["code"])
            figures.append((k["target"], float(kpi.target_value) if kpi.target_value is not None else None))
            figures.append(
                (k["baseline"], float(kpi.baseline_value) if kpi.baseline_value is not None else None)
            )
        target = seeded.kpi.target_value
        figures += [
            (r["kpi_target"], float(target) if target is not None else None) for r in data["survey_kpis"]
        ]
        # Objective A: 9 negative, 5 neutral, 12 positive, all analysed.
        a = objective(data, seeded.objectives[0].code)
        figures += [
            (a["sentiment"]["shares"][s], round(100 * n / 26, 1))
            for s, n in (("negative", 9), ("neutral", 5), ("positive", 12))
            if disclosure.is_shown(a["sentiment"]["counts"][s])
        ]
        gap = objective(data, seeded.objectives[2].code)
        pages = board_pages(pack)
        return Shown(counts, groups, {"objective with no feedback": gap["volume"]["this"]}, figures, pages)

    def board_pages(pack) -> str:
        pages = client.get(f"/board/packs/{pack.pk}/").content.decode()
        for chart in BoardPackChart.objects.filter(pack=pack):
            pages += client.get(f"/board/packs/{pack.pk}/data/{chart.key}.csv").content.decode("utf-8-sig")
        return pages

    return read


def _youth_forum(request) -> Callable[[], Shown]:
    from youthforum import selectors, services
    from youthforum.models import AgeBand, Prompt, Topic, View, VoteRound

    moderator = request.getfixturevalue("make_user")(Role.ENGAGEMENT_TEAM)
    members = [
        services.member_approve(
            member=services.member_join(
                nickname=f"Member{i}", age_band=AgeBand.AGE_18_25, contact_email=f"m{i}@example.org"
            ),
            actor=moderator,
        )
        for i in range(8)
    ]
    prompt = Prompt.objects.create(
        question="What helps at college?", easy_read_question="College?", status=Prompt.Status.OPEN
    )
    for i, member in enumerate(members):  # 5 happy, 3 sad, nobody okay
        view = run_on_commit(
            services.view_save,
            member=member,
            prompt=prompt,
            words="Quiet rooms help me.",
            feeling="happy" if i < 5 else "sad",
            consent_to_quote=True,
            send=True,
        )
        services.view_approve(view=View.objects.get(pk=view.pk), actor=moderator)
    vote_round = VoteRound.objects.create(
        title="What should we work on?", dots_per_member=3, status=VoteRound.Status.OPEN
    )
    topics = [
        Topic.objects.create(round=vote_round, title=t, sort_order=i)
        for i, t in enumerate(("Buses", "Clubs", "Jobs", "Money"))
    ]
    # Buses 9, Clubs 6, Jobs 3, Money 0: 6 voters with all 3 dots each, 18 in all.
    for member, topic in zip(members, [0, 0, 0, 1, 1, 2], strict=False):
        services.dots_place(member=member, vote_round=vote_round, allocation={topics[topic].pk: 3})
    VoteRound.objects.filter(pk=vote_round.pk).update(
        status=VoteRound.Status.CLOSED, closed_at=timezone.now()
    )
    client = request.getfixturevalue("client")
    client.force_login(members[0].user, backend="django.contrib.auth.backends.ModelBackend")
    urls = [
        f"/youth-forum/votes/{vote_round.pk}/",
        "/youth-forum/report/",
        f"/youth-forum/questions/{prompt.pk}/",
    ]

    def read() -> Shown:
        vote_round.refresh_from_db()
        results = selectors.round_results(vote_round)
        voters = selectors.round_voters(vote_round)
        feelings = dict(selectors.feeling_counts(prompt))
        now = timezone.now()
        report = selectors.representation_report(since=now - timedelta(days=1), until=now + timedelta(days=1))
        counts = {f"dots {r.topic.title}": r.dots for r in results}
        counts.update({"voters": voters, "report views": report.views, "report members": report.members})
        counts.update({f"feeling {label}": _as_shown(n) for label, n in feelings.items()})
        counts.update({f"report feeling {label}": _as_shown(n) for label, n in report.feelings})
        groups = {
            # Everyone has 3 dots: with the voters shown, so (near enough) is the total.
            "dots": ([r.dots for r in results], voters * 3 if disclosure.is_shown(voters) else None),
            "report feelings": ([_as_shown(n) for _, n in report.feelings], report.views),
        }
        top = max((r.dots for r in results if disclosure.is_shown(r.dots)), default=0) or 1
        figures = [(r.percent, round(100 * r.dots / top)) for r in results if disclosure.is_shown(r.dots)]
        pages = "".join(client.get(url).content.decode() for url in urls)
        money = next(r for r in results if r.topic.title == "Money")
        zero = {"Money dots": money.dots, "okay": _as_shown(feelings["🙂 Okay"])}
        return Shown(counts, groups, zero, figures, pages)

    return read


BUILDERS = {"survey": _survey, "tracker": _tracker, "board_pack": _board_pack, "youth_forum": _youth_forum}


@pytest.fixture(params=SURFACES)
def surface(request) -> Callable[[], Shown]:
    return BUILDERS[request.param](request)


def _at(settings, threshold: int, read: Callable[[], Shown]) -> Shown:
    settings.SMALL_NUMBER_THRESHOLD = threshold
    return read()


# --- Each rule, on every surface -----------------------------------------------------------------


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_no_small_count_is_shown(surface, settings, threshold):
    shown = _at(settings, threshold, surface)
    small = {where: n for where, n in shown.counts.items() if disclosure.is_small(n, threshold)}
    assert small == {}
    assert not _small_ints(shown.pages, threshold, "dots?|members?|views?|pieces? of feedback|young people")
    if any(n is None for n in shown.counts.values()):  # and the pages say what is hidden instead
        assert disclosure.fewer_than(threshold) in shown.pages.lower()


def test_zero_is_shown_as_zero(surface, settings):
    shown = _at(settings, 5, surface)
    assert shown.zero and all(n == 0 for n in shown.zero.values()), shown.zero


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_no_hidden_count_can_be_worked_out(surface, settings, threshold):
    """What a reader can do with a total: subtract the cells shown. If one cell is hidden, or
    the hidden ones add up to a small number, that gives a count of people away."""
    shown = _at(settings, threshold, surface)
    assert shown.groups
    for name, (cells, total) in shown.groups.items():
        if not disclosure.is_shown(total):
            continue
        hidden = [c for c in cells if not disclosure.is_shown(c)]
        left = total - sum(c for c in cells if disclosure.is_shown(c))
        assert len(hidden) != 1, (name, cells, total)
        assert not disclosure.is_small(left, threshold), (name, cells, total, left)


def test_the_threshold_setting_changes_every_surface(surface, settings):
    views = {t: _at(settings, t, surface) for t in THRESHOLDS}
    # What reads "fewer than N" only grows with N (what else is hidden to protect it may not;
    # a breakdown of a total that became small is not shown at all).
    small = {t: {where for where, n in shown.counts.items() if n is None} for t, shown in views.items()}
    for low, high in itertools.pairwise(THRESHOLDS):
        gone = set(views[low].counts) - set(views[high].counts)
        assert views[low].counts != views[high].counts, (low, high)
        assert small[low] <= small[high] | gone and small[high] - small[low], (low, high)
    assert disclosure.fewer_than(10) in views[10].pages.lower()
    assert disclosure.fewer_than(10) not in views[3].pages.lower()


def test_percentages_and_targets_stay_shown(surface, settings):
    for threshold in THRESHOLDS:
        shown = _at(settings, threshold, surface)
        assert shown.figures or threshold > 5, "every surface shows some percentage"
        for value, true in shown.figures:
            assert value == true


# --- The rule itself -----------------------------------------------------------------------------


def test_one_setting_read_by_one_reader(settings, monkeypatch):
    from portal.checks import app_settings_are_valid

    assert disclosure.threshold() == 5 and disclosure.fewer_than() == "fewer than 5"
    settings.SMALL_NUMBER_THRESHOLD = "7"
    assert disclosure.threshold() == 7 and disclosure.fewer_than() == "fewer than 7"
    for bad in ("0", "five"):
        settings.SMALL_NUMBER_THRESHOLD = bad
        with pytest.raises(ImproperlyConfigured, match="SMALL_NUMBER_THRESHOLD"):
            disclosure.threshold()
        assert "portal.conf.small_number_threshold" in {e.obj for e in app_settings_are_valid()}
    del settings.SMALL_NUMBER_THRESHOLD
    monkeypatch.setenv("SMALL_NUMBER_THRESHOLD", "4")
    assert disclosure.threshold() == 4


@pytest.mark.parametrize("old", ["BOARDPACKS_SMALL_NUMBER_THRESHOLD", "SURVEYS_SMALL_NUMBER_THRESHOLD"])
@pytest.mark.parametrize("where", ["settings", "environment"])
def test_an_old_threshold_setting_is_an_error_not_ignored(settings, monkeypatch, old, where):
    from portal.checks import renamed_settings_are_not_set

    assert renamed_settings_are_not_set() == []
    if where == "settings":
        setattr(settings, old, 3)
    else:
        monkeypatch.setenv(old, "3")
    [error] = renamed_settings_are_not_set()
    assert error.id == "portal.E002" and old in error.msg
    assert "rename it to SMALL_NUMBER_THRESHOLD" in error.msg
    assert disclosure.threshold() == 5  # and it is not quietly used either


def test_count_zero_and_words():
    assert [disclosure.count(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    assert [disclosure.text(v) for v in (0, None, NOT_SHOWN, 12)] == ["0", "fewer than 5", "not shown", "12"]
    assert disclosure.words(1, "dot") == "1 dot" and disclosure.words(None, "dot") == "fewer than 5 dots"
    assert disclosure.count(1, threshold=1) == 1  # a threshold of 1 hides nothing


def test_the_issues_example_cannot_be_undone_by_subtraction():
    """answered 24 = 9 + 5 + 6 + hidden: the hidden 4 is no longer the only thing hidden."""
    group = disclosure.group({"always": 9, "often": 5, "sometimes": 6, "rarely": 4, "never": 0})
    assert group.total == 24 and group.cells["never"] == 0
    assert group.cells["rarely"] is None and group.cells["often"] == NOT_SHOWN
    assert group.share("always") == 37.5 and group.share("rarely") is None and group.share("often") is None


def test_a_small_total_hides_everything_in_it():
    # Even the 0: beside it, "fewer than 5" twice in a total of 4 could only be 3 and 1, or 2 and 2.
    group = disclosure.group({"a": 3, "b": 1, "c": 0})
    assert group.total is None and group.cells == {"a": None, "b": None, "c": None}
    assert group.shares() == {"a": None, "b": None, "c": None}
    assert disclosure.group({"a": 0, "b": 0}).cells == {"a": 0, "b": 0}  # nobody at all: 0


def test_shares_follow_their_counts():
    assert disclosure.share(8, 14) == 57.1
    assert disclosure.share(10, 12) is None  # 12 - 10: the 2 others could be worked out
    assert (
        disclosure.share(3, 20) is None and disclosure.share(0, 20) == 0.0 and disclosure.share(5, 0) is None
    )
    # Sentiment as a share of what was analysed: only when "not analysed" is shown too.
    group = disclosure.group({"neg": 9, "pos": 12, "not_analysed": 3})
    assert group.subtotal(["neg", "pos"]) == NOT_SHOWN
    assert group.shares(["neg", "pos"]) == {"neg": None, "pos": None}


def test_a_row_can_give_away_a_column():
    """Objectives by sentiment with both totals shown: hiding in rows alone leaves a lone hidden
    cell in a column, so columns (and the totals' own sums) are protected too."""
    table = disclosure.table({"A": {"neg": 20, "pos": 3}, "B": {"neg": 8, "pos": 9}})
    cells = [[table.cells[r][c] for c in ("neg", "pos")] for r in ("A", "B")]
    lines = [
        (cells[0], table.row_totals["A"]),
        (cells[1], table.row_totals["B"]),
        ([cells[0][0], cells[1][0]], table.column_totals["neg"]),
        ([cells[0][1], cells[1][1]], table.column_totals["pos"]),
    ]
    for line, total in lines:
        assert sum(not disclosure.is_shown(c) for c in [*line, total]) != 1, (line, total)
    assert table.cells["A"]["pos"] is None and table.total == 40


def _worked_out(group: disclosure.Group, threshold: int, cap: int = 30) -> list:
    """The hidden cells a reader who knows the rule can work out exactly. They know "fewer than
    N" is 1 to N-1 (0 to N-1 inside a small total), "not shown" is at least N and no more than
    the smallest number shown beside it, and that a shown total is the sum. A cell worked out to
    be 0 gives nobody away."""
    shown_values = [v for v in group.cells.values() if disclosure.is_shown(v) and v]
    ranges = {}
    for k, v in group.cells.items():
        if v is None:
            ranges[k] = range(0 if group.total is None else 1, threshold)
        elif v == NOT_SHOWN:
            ranges[k] = range(threshold, min(shown_values, default=cap) + 1)
    known = sum(v for v in group.cells.values() if disclosure.is_shown(v))
    possible: dict = {k: set() for k in ranges}
    for combo in itertools.product(*ranges.values()):
        total = known + sum(combo)
        if disclosure.is_shown(group.total) and total != group.total:
            continue
        if group.total is None and not disclosure.is_small(total, threshold):
            continue
        if group.total == NOT_SHOWN and disclosure.is_small(total, threshold):
            continue
        for k, value in zip(ranges, combo, strict=True):
            possible[k].add(value)
    return [k for k, values in possible.items() if len(values) <= 1 and values != {0}]


@pytest.mark.parametrize("threshold", [3, 5])
def test_no_group_of_three_can_be_undone_by_a_reader_who_knows_the_rule(threshold):
    for values in itertools.product(range(11), repeat=3):
        counts = dict(zip("abc", values, strict=True))
        group = disclosure.group(counts, threshold=threshold)
        assert _worked_out(group, threshold) == [], (counts, group.cells, group.total)
        if disclosure.is_shown(group.total):
            hidden = sum(counts[k] for k, v in group.cells.items() if not disclosure.is_shown(v))
            assert not disclosure.is_small(hidden, threshold), (counts, group.cells)
            assert all(group.cells[k] == 0 for k, v in counts.items() if v == 0)  # zero is shown


def test_charts_never_call_a_missing_target_a_small_count():
    """The old pack download put "fewer than 5" where a KPI had no target in %: a target is
    not a count of people."""
    from boardpacks import charts

    spec = charts.grouped_bar(
        key="survey-kpis",
        title="Against targets",
        categories=["Q"],
        series={"Good answers (%)": [None], "KPI target (%)": [None]},
        threshold=5,
        unit="%",
        counts=False,
    )
    assert spec.rows == [["Q", charts.NOT_AVAILABLE, charts.NOT_AVAILABLE]]
    assert "fewer than" not in spec.alt
    counted = charts.grouped_bar(
        key="c", title="Counts", categories=["Phone"], series={"This": [None]}, threshold=5
    )
    assert "fewer than 5" in counted.alt


def test_a_stored_pack_downloads_no_target_as_a_small_count(plan):
    """Packs stored before charts said "not available" themselves still download correctly."""
    from boardpacks.exports import chart_csv
    from boardpacks.models import BoardPack, BoardPackChart

    pack = BoardPack.objects.create(
        plan=plan, period_start="2024-06-01", period_end="2024-06-30", data={"threshold": 5}
    )
    kpi = BoardPackChart(
        pack=pack,
        key="survey-kpis",
        title="t",
        alt="a",
        svg="",
        columns=["Question", "Good answers (%)", "KPI target (%)"],
        rows=[["Q", None, 80.0]],
    )
    count = BoardPackChart(
        pack=pack,
        key="feedback-channel",
        title="t",
        alt="a",
        svg="",
        columns=["Channel", "This"],
        rows=[["Phone", None]],
    )
    rows = list(csv.reader(io.StringIO(chart_csv(pack=pack, chart=kpi).lstrip("\ufeff"))))
    assert rows[1] == ["Q", "not available", "80.0"]
    assert "fewer than 5" in chart_csv(pack=pack, chart=count)
