"""Measures the analysis pipeline against the labelled set in feedback/evaluation/comments.jsonl.

Used by `manage.py evaluate_analysis`, `bench/feedback_quality.py` and the quality test. Metrics:
- redaction recall per PII type: a labelled value counts as found when every letter and digit of
  it is covered by some redaction (any type: hiding it is what matters for privacy);
- redaction precision per predicted type: a redaction is correct when it overlaps a labelled
  value; plus the share of labelled look-alikes ("keep") that survive intact;
- safeguarding recall and false-alarm rate (flagged among items labelled not at risk);
- sentiment agreement with the human label;
- top-3 objective hit rate: among items with labelled objectives, the share where one of the
  first three suggestions is a labelled objective;
- throughput: pipeline items/second vs TextBlob sentiment alone, same texts, same run.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

from . import analysis

EVALUATION_FILE = Path(__file__).resolve().parent / "evaluation" / "comments.jsonl"
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


def load_items(path: Path = EVALUATION_FILE) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
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


def evaluate(context: analysis.AnalysisContext, items: list[dict] | None = None) -> dict:
    items = items if items is not None else load_items()
    found = defaultdict(int)
    total = defaultdict(int)
    predicted = defaultdict(int)
    predicted_ok = defaultdict(int)
    keep_total = keep_ok = 0
    sg_pos = sg_hit = sg_neg = sg_false = 0
    sent_ok = 0
    obj_items = obj_hit = 0
    theme_tp = theme_pred = theme_gold = 0
    misses: dict[str, list] = defaultdict(list)
    results = []
    for item in items:
        text = item["text"]
        result = analysis.analyse(text, context=context)
        results.append(result)
        gold_spans = []
        for pii in item["pii"]:
            occ = _occurrences(text, pii["value"])
            gold_spans.extend(occ)
            for start, end in occ[:1]:
                total[pii["type"]] += 1
                if _covered(start, end, result.spans, text):
                    found[pii["type"]] += 1
                else:
                    misses[f"pii:{pii['type']}"].append((item["id"], pii["value"]))
        for span in result.spans:
            predicted[span.kind] += 1
            if any(span.start < e and s < span.end for s, e in gold_spans):
                predicted_ok[span.kind] += 1
            else:
                misses[f"fp:{span.kind}"].append((item["id"], span.value))
        for keep in item.get("keep", []):
            keep_total += 1
            if keep in result.redacted_text:
                keep_ok += 1
            else:
                misses["keep"].append((item["id"], keep))
        if item["safeguarding"]:
            sg_pos += 1
            sg_hit += result.safeguarding.flagged
            if not result.safeguarding.flagged:
                misses["safeguarding_missed"].append((item["id"], text[:80]))
        else:
            sg_neg += 1
            sg_false += result.safeguarding.flagged
            if result.safeguarding.flagged:
                misses["safeguarding_false_alarm"].append((item["id"], result.safeguarding.evidence))
        sent_ok += result.sentiment.label == item["sentiment"]
        if result.sentiment.label != item["sentiment"]:
            misses["sentiment"].append((item["id"], item["sentiment"], result.sentiment.label))
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
                misses["objectives"].append((item["id"], item["objectives"], top3))

    texts = [item["text"] for item in items]
    pipeline_rate = _rate(lambda t: analysis.analyse(t, context=context), texts)
    raw = analysis.sentiment_analyser()
    textblob_rate = _rate(raw.raw, texts)

    report = {
        "items": len(items),
        "recall": {t: (found[t] / total[t] if total[t] else None, found[t], total[t]) for t in PII_TYPES},
        "precision": {
            t: (predicted_ok[t] / predicted[t] if predicted[t] else None, predicted_ok[t], predicted[t])
            for t in PII_TYPES
        },
        "keep_survival": keep_ok / keep_total if keep_total else None,
        "safeguarding_recall": sg_hit / sg_pos if sg_pos else None,
        "safeguarding_false_alarm": sg_false / sg_neg if sg_neg else None,
        "safeguarding_counts": (sg_hit, sg_pos, sg_false, sg_neg),
        "sentiment_agreement": sent_ok / len(items) if items else None,
        "objective_top3": obj_hit / obj_items if obj_items else None,
        "objective_counts": (obj_hit, obj_items),
        "theme_precision": theme_tp / theme_pred if theme_pred else None,
        "theme_recall": theme_tp / theme_gold if theme_gold else None,
        "pipeline_items_per_second": pipeline_rate,
        "textblob_items_per_second": textblob_rate,
        "speed_ratio": pipeline_rate / textblob_rate if textblob_rate else None,
        "misses": dict(misses),
    }
    return report


def _rate(fn, texts: list[str], min_seconds: float = 0.5) -> float:
    fn(texts[0])  # warm up (lexicons load once)
    count, start = 0, time.perf_counter()
    while True:
        for text in texts:
            fn(text)
        count += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return count / elapsed


def failures(report: dict) -> list[str]:
    """Targets not met, in words (empty when all are met)."""
    out = []
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


def format_report(report: dict, verbose: bool = False) -> str:
    lines = [
        f"Feedback analysis quality on {report['items']} labelled items",
        "",
        "Redaction            recall (found/total)     precision (correct/predicted)",
    ]
    for t in PII_TYPES:
        r, f, n = report["recall"][t]
        p, ok, pred = report["precision"][t]
        lines.append(f"  {t:<18} {_fmt(r)} ({f}/{n}){'':<8} {_fmt(p)} ({ok}/{pred})")
    lines.append(f"  look-alikes kept intact: {_fmt(report['keep_survival'])}")
    hit, pos, false, neg = report["safeguarding_counts"]
    lines += [
        "",
        f"Safeguarding recall:       {_fmt(report['safeguarding_recall'])} ({hit}/{pos})",
        f"Safeguarding false alarms: {_fmt(report['safeguarding_false_alarm'])} ({false}/{neg})",
        f"Sentiment agreement:       {_fmt(report['sentiment_agreement'])}",
        f"Objective top-3 hit rate:  {_fmt(report['objective_top3'])} "
        f"({report['objective_counts'][0]}/{report['objective_counts'][1]})",
        f"Themes (not a target):     precision {_fmt(report['theme_precision'])}, "
        f"recall {_fmt(report['theme_recall'])}",
        "",
        f"Pipeline:                  {report['pipeline_items_per_second']:.0f} items/s",
        f"TextBlob sentiment alone:  {report['textblob_items_per_second']:.0f} items/s",
        f"Ratio (pipeline/TextBlob): {report['speed_ratio']:.3f}",
    ]
    fails = failures(report)
    lines += ["", "Targets: all met" if not fails else "Targets NOT met: " + "; ".join(fails)]
    if verbose:
        for key, values in report["misses"].items():
            lines.append(f"\n{key} ({len(values)}):")
            lines += [f"  {v}" for v in values[:60]]
    return "\n".join(lines)
