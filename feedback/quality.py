"""Measures the analysis pipeline against the labelled sets in feedback/evaluation/.

Used by `manage.py evaluate_analysis`, `bench/feedback_quality.py` and the quality tests. Three
sets, reported in this order (README in that folder):
- held-out (`heldout.jsonl`): written by people who never saw the rules, never trained or tuned
  on. The honest figures. Only aggregates are ever reported for it: no item text, no misses.
- development (`dev.jsonl`): rules, thresholds and models are tuned and trained on it, so its
  figures are optimistic (`manage.py train_analysis_models` prints cross-validated ones).
- regression (`comments.jsonl`): written by the rule writers; a guard against breaking what
  worked, and also trained on.

Metrics:
- redaction recall per PII type: a labelled value counts as found when every letter and digit of
  it is covered by some redaction (any type: hiding it is what matters for privacy); text
  withheld because it is not in English hides everything. Names on their own, and "structured"
  PII (email, phone, postcode, address, NHS number, date of birth, UPN) together;
- redaction precision per predicted type, and the share of labelled look-alikes ("keep") that
  survive intact;
- safeguarding recall, overall and per `category` where the set has one, and false-alarm rate
  (flagged among items labelled not at risk);
- sentiment agreement with the human label;
- top-3 objective hit rate: among items with labelled objectives, the share where one of the
  first three suggestions is a labelled objective;
- throughput: pipeline items/second (trained models included) vs TextBlob sentiment alone, same
  texts, same run.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

from . import analysis

EVALUATION_DIR = Path(__file__).resolve().parent / "evaluation"
EVALUATION_FILE = EVALUATION_DIR / "comments.jsonl"  # the regression set
DEV_FILE = EVALUATION_DIR / "dev.jsonl"
HELDOUT_FILE = EVALUATION_DIR / "heldout.jsonl"
# (key, title, file, trained on?) in the order they are reported: held-out first.
SETS = [
    ("heldout", "Held-out set", HELDOUT_FILE, False),
    ("dev", "Development set", DEV_FILE, True),
    ("regression", "Regression set", EVALUATION_FILE, True),
]
PII_TYPES = [
    "name",
    "email",
    "phone",
    "postcode",
    "address",
    "nhs_number",
    "date_of_birth",
    "pupil_number",
    "school",
]
STRUCTURED_PII = ["email", "phone", "postcode", "address", "nhs_number", "date_of_birth", "pupil_number"]
# The regression set's targets (it was written with the rules: recall there must stay 1.0).
TARGETS = {
    "recall.email": 0.98,
    "recall.phone": 0.98,
    "recall.postcode": 0.98,
    "recall.nhs_number": 0.98,
    "recall.name": 0.9,
    "safeguarding_recall": 1.0,
    "objective_top3": 0.8,
}
MAX_FALSE_ALARM = 0.10
# Issue 14's targets for unseen text (held-out; shown beside the development figures too).
# (direction, value): ">=" at least, "<=" at most.
HELDOUT_TARGETS = {
    "safeguarding_recall": (">=", 0.95),
    "safeguarding_false_alarm": ("<=", 0.10),
    "names_recall": (">=", 0.95),
    "structured_pii_recall": (">=", 0.99),
    "keep_survival": (">=", 0.95),
    "sentiment_agreement": (">=", 0.75),
    "objective_top3": (">=", 0.80),
    "speed_ratio": (">=", 0.30),
}
REGRESSION_TARGETS = {
    **HELDOUT_TARGETS,
    "safeguarding_recall": (">=", 1.0),
}


def load_items(path: Path = EVALUATION_FILE) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _occurrences(text: str, value: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    while value and (i := text.find(value, start)) != -1:
        spans.append((i, i + len(value)))
        start = i + 1
    return spans


def _covered(start: int, end: int, spans, text: str) -> bool:
    covered = set()
    for s in spans:
        covered.update(range(s.start, s.end))
    return all(i in covered for i in range(start, end) if text[i].isalnum())


def _ratio(hit: int, total: int):
    return hit / total if total else None


def evaluate(
    context: analysis.AnalysisContext,
    items: list[dict] | None = None,
    *,
    with_misses: bool = True,
    timing: bool = True,
) -> dict:
    """Figures for one labelled set. `with_misses=False` (the held-out set) keeps no item ids,
    texts or errors in the report: only counts."""
    items = items if items is not None else load_items()
    found = defaultdict(int)
    total = defaultdict(int)
    predicted = defaultdict(int)
    predicted_ok = defaultdict(int)
    keep_total = keep_ok = 0
    sg_pos = sg_hit = sg_neg = sg_false = 0
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    raised_by = defaultdict(int)
    sent_ok = 0
    obj_items = obj_hit = 0
    theme_tp = theme_pred = theme_gold = 0
    withheld = 0
    misses: dict[str, list] = defaultdict(list)

    def miss(key, value):
        if with_misses:
            misses[key].append(value)

    for item in items:
        text = item["text"]
        result = analysis.analyse(text, context=context)
        withheld += result.withheld
        gold_spans = []
        for pii in item["pii"]:
            occ = _occurrences(text, pii["value"])
            gold_spans.extend(occ)
            for start, end in occ[:1]:
                total[pii["type"]] += 1
                if result.withheld or _covered(start, end, result.spans, text):
                    found[pii["type"]] += 1
                else:
                    miss(f"pii:{pii['type']}", (item["id"], pii["value"]))
        for span in result.spans:
            predicted[span.kind] += 1
            if any(span.start < e and s < span.end for s, e in gold_spans):
                predicted_ok[span.kind] += 1
            else:
                miss(f"fp:{span.kind}", (item["id"], span.value))
        for keep in item.get("keep", []):
            keep_total += 1
            if keep in result.redacted_text:
                keep_ok += 1
            else:
                miss("keep", (item["id"], keep))
        flagged = result.safeguarding.flagged
        if item["safeguarding"]:
            sg_pos += 1
            sg_hit += flagged
            category = item.get("category") or ""
            if category:
                by_category[category][0] += flagged
                by_category[category][1] += 1
            for part in result.safeguarding.raised_by:
                raised_by[part] += 1
            if not flagged:
                miss("safeguarding_missed", (item["id"], text[:80]))
        else:
            sg_neg += 1
            sg_false += flagged
            if flagged:
                miss(
                    "safeguarding_false_alarm",
                    (item["id"], result.safeguarding.raised_by, result.safeguarding.evidence),
                )
        sent_ok += result.sentiment.label == item["sentiment"]
        if result.sentiment.label != item["sentiment"]:
            miss("sentiment", (item["id"], item["sentiment"], result.sentiment.label))
        predicted_themes = {t.label for t in result.themes}
        gold_themes = set(item.get("themes", []))
        theme_tp += len(predicted_themes & gold_themes)
        theme_pred += len(predicted_themes)
        theme_gold += len(gold_themes)
        if item["objectives"]:
            obj_items += 1
            top3 = [o.code for o in result.objectives[:3]]
            if set(top3) & set(item["objectives"]):
                obj_hit += 1
            else:
                miss("objectives", (item["id"], item["objectives"], top3))

    pipeline_rate = textblob_rate = None
    if timing and items:
        texts = [item["text"] for item in items]
        pipeline_rate = _rate(lambda t: analysis.analyse(t, context=context), texts)
        textblob_rate = _rate(analysis.sentiment_analyser().raw, texts)
    structured_found = sum(found[t] for t in STRUCTURED_PII)
    structured_total = sum(total[t] for t in STRUCTURED_PII)
    models = context.learned_models()
    return {
        "items": len(items),
        "model_version": models.version if models is not None else "rules only",
        "recall": {t: (_ratio(found[t], total[t]), found[t], total[t]) for t in PII_TYPES},
        "precision": {
            t: (_ratio(predicted_ok[t], predicted[t]), predicted_ok[t], predicted[t]) for t in PII_TYPES
        },
        "names_recall": _ratio(found["name"], total["name"]),
        "names_counts": (found["name"], total["name"]),
        "structured_pii_recall": _ratio(structured_found, structured_total),
        "structured_pii_counts": (structured_found, structured_total),
        "keep_survival": _ratio(keep_ok, keep_total),
        "keep_counts": (keep_ok, keep_total),
        "safeguarding_recall": _ratio(sg_hit, sg_pos),
        "safeguarding_false_alarm": _ratio(sg_false, sg_neg),
        "safeguarding_counts": (sg_hit, sg_pos, sg_false, sg_neg),
        "safeguarding_by_category": {c: (_ratio(h, n), h, n) for c, (h, n) in sorted(by_category.items())},
        "safeguarding_raised_by": dict(raised_by),
        "sentiment_agreement": _ratio(sent_ok, len(items)),
        "sentiment_counts": (sent_ok, len(items)),
        "objective_top3": _ratio(obj_hit, obj_items),
        "objective_counts": (obj_hit, obj_items),
        "theme_precision": _ratio(theme_tp, theme_pred),
        "theme_recall": _ratio(theme_tp, theme_gold),
        "withheld": withheld,
        "pipeline_items_per_second": pipeline_rate,
        "textblob_items_per_second": textblob_rate,
        "speed_ratio": pipeline_rate / textblob_rate if pipeline_rate and textblob_rate else None,
        "misses": dict(misses),
    }


def _rate(fn, texts: list[str], min_seconds: float = 0.5) -> float:
    fn(texts[0])  # warm up (lexicons and models load once)
    count, start = 0, time.perf_counter()
    while True:
        for text in texts:
            fn(text)
        count += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return count / elapsed


def failures(report: dict, targets: dict | None = None) -> list[str]:
    """Targets not met, in words (empty when all are met). Without `targets`: the regression
    set's per-type targets (`TARGETS`, `MAX_FALSE_ALARM`); with them: (direction, value) pairs
    such as `HELDOUT_TARGETS`."""
    out = []
    if targets is not None:
        for key, (direction, target) in targets.items():
            value = report.get(key)
            if value is None:
                continue  # not measured here (no timing, no labelled item of the kind)
            if (direction == ">=" and value < target) or (direction == "<=" and value > target):
                out.append(f"{key} = {value:.3f} (target {direction} {target})")
        return out
    for key, target in TARGETS.items():
        if key.startswith("recall."):
            value = report["recall"][key.split(".", 1)[1]][0]
        else:
            value = report[key]
        if value is None or value < target:
            out.append(f"{key} = {value} < {target}")
    if report["safeguarding_false_alarm"] is None or report["safeguarding_false_alarm"] > MAX_FALSE_ALARM:
        out.append(f"safeguarding_false_alarm = {report['safeguarding_false_alarm']} > {MAX_FALSE_ALARM}")
    return out


def _fmt(value) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def _line(label: str, value, counts: str, key: str, targets: dict) -> str:
    target = ""
    if key in targets:
        direction, goal = targets[key]
        met = value is not None and (value >= goal if direction == ">=" else value <= goal)
        target = f"{direction} {goal:.2f}  {'met' if met else 'NOT MET' if value is not None else ''}"
    return f"  {label:<28} {_fmt(value)} {counts:<14} {target}".rstrip()


def format_report(
    report: dict,
    verbose: bool = False,
    *,
    title: str = "",
    targets: dict | None = None,
    per_type: bool = True,
) -> str:
    """The figures for one set with the targets beside them. `verbose` lists misses (never
    available for the held-out set: its report holds none)."""
    targets = REGRESSION_TARGETS if targets is None else targets
    hit, pos, false, neg = report["safeguarding_counts"]
    lines = [
        title or f"Feedback analysis quality on {report['items']} labelled items",
        f"  (models: {report['model_version']}; items withheld as not English: {report['withheld']})",
        f"  {'measure':<28} {'value':>5} {'(counts)':<14} target",
        _line(
            "Safeguarding recall",
            report["safeguarding_recall"],
            f"({hit}/{pos})",
            "safeguarding_recall",
            targets,
        ),
    ]
    for category, (value, h, n) in report["safeguarding_by_category"].items():
        lines.append(f"      {category:<24} {_fmt(value)} ({h}/{n})")
    if report["safeguarding_raised_by"]:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(report["safeguarding_raised_by"].items()))
        lines.append(f"      raised by (disclosures):  {parts}")
    lines += [
        _line(
            "Safeguarding false alarms",
            report["safeguarding_false_alarm"],
            f"({false}/{neg})",
            "safeguarding_false_alarm",
            targets,
        ),
        _line(
            "Names redacted",
            report["names_recall"],
            "({}/{})".format(*report["names_counts"]),
            "names_recall",
            targets,
        ),
        _line(
            "Structured PII redacted",
            report["structured_pii_recall"],
            "({}/{})".format(*report["structured_pii_counts"]),
            "structured_pii_recall",
            targets,
        ),
        _line(
            "Look-alikes kept",
            report["keep_survival"],
            "({}/{})".format(*report["keep_counts"]),
            "keep_survival",
            targets,
        ),
        _line(
            "Sentiment agreement",
            report["sentiment_agreement"],
            "({}/{})".format(*report["sentiment_counts"]),
            "sentiment_agreement",
            targets,
        ),
        _line(
            "Objective top-3",
            report["objective_top3"],
            "({}/{})".format(*report["objective_counts"]),
            "objective_top3",
            targets,
        ),
    ]
    if report["speed_ratio"] is not None:
        lines.append(
            _line(
                "Speed vs TextBlob alone",
                report["speed_ratio"],
                f"({report['pipeline_items_per_second']:.0f}/{report['textblob_items_per_second']:.0f}/s)",
                "speed_ratio",
                targets,
            )
        )
    themes = f"precision {_fmt(report['theme_precision'])}, recall {_fmt(report['theme_recall'])}"
    lines.append(f"  Themes (no target): {themes}")
    if per_type:
        lines += ["", "  Redaction by type     recall (found/total)     precision (correct/predicted)"]
        for t in PII_TYPES:
            r, f, n = report["recall"][t]
            p, ok, pred = report["precision"][t]
            lines.append(f"    {t:<18} {_fmt(r)} ({f}/{n}){'':<8} {_fmt(p)} ({ok}/{pred})")
    fails = failures(report, targets)
    lines += ["", "  Targets: all met" if not fails else "  Targets NOT met: " + "; ".join(fails)]
    if verbose:
        for key, values in report["misses"].items():
            lines.append(f"\n{key} ({len(values)}):")
            lines += [f"  {v}" for v in values[:60]]
    return "\n".join(lines)


def evaluate_sets(
    context: analysis.AnalysisContext,
    keys: list[str] | None = None,
    *,
    verbose: bool = False,
    timing: bool = True,
) -> tuple[str, dict[str, dict]]:
    """Report on the chosen sets (all by default), held-out first. A missing file is reported
    as missing. Returns (text, {key: report})."""
    out, reports = [], {}
    for key, title, path, trained in SETS:
        if keys and key not in keys:
            continue
        name = path.name
        if not path.exists():
            out.append(f"{title} ({name}): MISSING — no figures.\n")
            continue
        held = key == "heldout"
        report = evaluate(context, load_items(path), with_misses=not held, timing=timing)
        reports[key] = report
        note = "never trained or tuned on" if not trained else "trained and tuned on: figures are optimistic"
        heading = f"{title} ({name}, {report['items']} items; {note})"
        targets = REGRESSION_TARGETS if key == "regression" else HELDOUT_TARGETS
        out.append(
            format_report(report, verbose=verbose and not held, title=heading, targets=targets, per_type=True)
            + "\n"
        )
    return "\n".join(out), reports
