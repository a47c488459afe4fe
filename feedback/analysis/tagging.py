"""What a text is about: key phrases, themes (keyword lists) and suggested plan objectives
(cue lists, themes, the safeguarding screen, the plan's own wording and the trained models)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .safeguarding import Safeguarding

if TYPE_CHECKING:  # for annotations only: the context is built from this module's pieces
    from .context import AnalysisContext

# --------------------------------------------------------------------------------------------
# Key phrases (offline noun phrases from pattern's chunker)
# --------------------------------------------------------------------------------------------

_PHRASE_WORD_RE = re.compile(r"^[\w'-]+$")
PHRASE_STOP = frozenset(
    "i me my we our you your he she they them it this that there what which who "
    "thing things lot lots way time something anything nothing everything one "
    "people".split()
)


def key_phrases(text: str, limit: int = 8) -> list[str]:
    from textblob.en import parse

    tagged = parse(text, chunks=True, relations=False, lemmata=False)
    phrases: list[str] = []
    current: list[tuple[str, str]] = []

    def flush():
        words = [w for w, t in current if t not in ("DT", "PRP", "PRP$", "CD", "WDT", "POS")]
        while words and words[0].lower() in PHRASE_STOP:
            words = words[1:]
        if (
            words
            and any(t.startswith("NN") for _, t in current)
            and not all(w.lower() in PHRASE_STOP for w in words)
        ):
            phrase = " ".join(words).lower().strip(" -'")
            if len(phrase) > 2 and "[" not in phrase and phrase not in phrases:
                phrases.append(phrase)
        current.clear()

    for sentence in tagged.split("\n"):
        for token in sentence.split(" "):
            parts = token.split("/")
            if len(parts) < 3:
                continue
            word, tag, chunk = parts[0], parts[1], parts[2]
            if chunk == "B-NP" or (chunk != "I-NP" and current):
                flush()
            if chunk in ("B-NP", "I-NP") and _PHRASE_WORD_RE.match(word):
                current.append((word, tag))
        flush()
    # Multi-word phrases say more than single nouns.
    phrases.sort(key=lambda p: -len(p.split()))
    return phrases[:limit]


# --------------------------------------------------------------------------------------------
# Themes and objectives
# --------------------------------------------------------------------------------------------


def _keyword_pattern(keyword: str) -> str:
    keyword = keyword.strip().lower()
    stem = keyword.endswith("*")
    body = re.escape(keyword.rstrip("*")).replace(r"\ ", r"[\s-]+")
    return r"\b" + body + (r"\w*" if stem else r"(?:s|es)?\b")


_TOKEN_RE = re.compile(r"[a-z0-9'-]+")


def _tokens(text: str) -> set[str]:
    """Lower-case words of a text, with hyphenated words also split ("part-time" → "part")."""
    tokens = set(_TOKEN_RE.findall(text.lower()))
    for token in list(tokens):
        if "-" in token:
            tokens.update(t for t in token.split("-") if t)
    return tokens


def _gate(keyword: str) -> frozenset[str] | None:
    """Words one of which must be in a text for `keyword` to be able to match it, so most of
    the hundreds of keyword patterns are skipped with a set lookup. None: always try."""
    first = keyword.strip().lower().split()[0] if keyword.strip() else ""
    if not first or first.endswith("*") or not re.fullmatch(r"[a-z0-9'-]+", first):
        return None
    return frozenset({first, first + "s", first + "es"})


def _match_keywords(text: str, tokens: set[str], patterns) -> list[str]:
    return [k for k, gate, p in patterns if (gate is None or gate & tokens) and p.search(text)]


class KeywordIndex:
    """The same matching as `_match_keywords` over a fixed list of (keyword, gate, pattern),
    but looked up from the text's words: only patterns whose gate word occurs are tried, instead
    of checking every gate (hundreds of cues) for every text. Results keep the list's order."""

    def __init__(self, patterns):
        self.patterns = list(patterns)
        self.always = [i for i, (_, gate, _) in enumerate(self.patterns) if gate is None]
        self.by_word: dict[str, list[int]] = {}
        for i, (_, gate, _) in enumerate(self.patterns):
            for word in gate or ():
                self.by_word.setdefault(word, []).append(i)

    def match(self, text: str, tokens: set[str]) -> list[int]:
        candidates = set(self.always)
        for token in tokens:
            hits = self.by_word.get(token)
            if hits:
                candidates.update(hits)
        return [i for i in sorted(candidates) if self.patterns[i][2].search(text)]


@dataclass
class ThemeSpec:
    label: str
    keywords: list[str]
    objectives: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.patterns = [
            (k, _gate(k), re.compile(_keyword_pattern(k), re.IGNORECASE)) for k in self.keywords if k.strip()
        ]


@dataclass
class ThemeMatch:
    label: str
    matched: list[str]


@dataclass
class ObjectiveSuggestion:
    code: str
    confidence: float
    cues: list[str]


# Without trained models: the cue lists as before, plus the objectives' own wording.
RULE_FUSION = {"cues": 1.0, "similarity": 2.0, "model": 0.0, "nearest": 1.0}


def theme_index(themes: list[ThemeSpec]) -> tuple[KeywordIndex, list[int]]:
    """One index over every theme's keywords, and which theme each entry belongs to."""
    entries, owner = [], []
    for n, theme in enumerate(themes):
        entries += theme.patterns
        owner += [n] * len(theme.patterns)
    return KeywordIndex(entries), owner


def find_themes(text: str, themes: list[ThemeSpec], index=None) -> list[ThemeMatch]:
    """Themes whose keywords occur in the text. `index` (`theme_index(themes)`, which the
    analysis context keeps) makes it faster; the result is the same."""
    tokens = _tokens(text)
    if index is None:
        found = []
        for theme in themes:
            matched = _match_keywords(text, tokens, theme.patterns)
            if matched:
                found.append(ThemeMatch(theme.label, matched))
        return found
    keywords, owner = index
    by_theme: dict[int, list[str]] = {}
    for i in keywords.match(text, tokens):
        by_theme.setdefault(owner[i], []).append(keywords.patterns[i][0])
    return [ThemeMatch(themes[n].label, by_theme[n]) for n in sorted(by_theme)]


SAFEGUARDING_OBJECTIVES = {
    # A child at risk is, in plan terms, a mental-health or family-breakdown matter.
    "self-harm or suicide": {"PAP4C:1": 1.2},
    "abuse": {"PAP4C:3": 1.0},
    "neglect": {"PAP4C:3": 1.0},
    "going missing": {"PAP4C:3": 1.0},
    "exploitation": {"PAP4C:3": 0.8},
    "direct risk": {"PAP4C:3": 0.6},
}


def cue_scores(
    text: str,
    context: AnalysisContext,
    themes: list[ThemeMatch],
    safeguarding: Safeguarding | None = None,
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Score each objective by the cue phrases found, plus the themes linked to it, plus the
    safeguarding screen (the hand-written signals; they apply to plans whose codes they name).

    A cue's weight grows with its length (a phrase says more than a word) and shrinks with the
    number of objectives that share it (like inverse document frequency), so a generic word such
    as "weeks" nudges several objectives a little and "named worker" points firmly at one."""
    scores: dict[str, float] = {}
    cues: dict[str, list[str]] = {}
    for i in context.cue_index.match(text, _tokens(text)):
        cue = context.cue_patterns[i][0]
        weight = (0.45 + 0.25 * (len(cue.split()) - 1)) / math.sqrt(context.cue_df[cue])
        for code in context.cue_codes[cue]:
            scores[code] = scores.get(code, 0.0) + weight
            cues.setdefault(code, []).append(cue)
    spec_by_label = {t.label: t for t in context.themes}
    for match in themes:
        spec = spec_by_label.get(match.label)
        if spec is None:
            continue
        for code in spec.objectives:
            if context.objective_codes is not None and code not in context.objective_codes:
                continue
            scores[code] = scores.get(code, 0.0) + 0.2
            cues.setdefault(code, []).append(f"theme: {match.label}")
    for reason in safeguarding.reasons if safeguarding else []:
        for code, weight in SAFEGUARDING_OBJECTIVES.get(reason, {}).items():
            if context.objective_codes is None or code in context.objective_codes:
                scores[code] = scores.get(code, 0.0) + weight
                cues.setdefault(code, []).append(f"safeguarding: {reason}")
    return scores, cues


def suggest_objectives(
    text: str,
    context: AnalysisContext,
    themes: list[ThemeMatch],
    safeguarding: Safeguarding | None = None,
    limit: int = 5,
    *,
    models=None,
    vec=None,
) -> list[ObjectiveSuggestion]:
    """Rank the current plan's objectives for a (redacted) text; confidence = 1 - e^(-score).

    The score adds, with weights chosen by cross-validation (`feedback.learning`):
    the cue/theme/safeguarding signals (`cue_scores`), the text's similarity to each
    objective's own wording and to the feedback staff confirmed for it
    (`feedback.objective_text`), and the trained per-objective models where they know the code.
    The cues say which signals counted ("wording: …", "like confirmed feedback", "trained …")."""
    weights = context.fusion_weights(models)
    base, base_cues = cue_scores(text, context, themes, safeguarding)
    scores = {code: weights["cues"] * v for code, v in base.items()}
    cues = {code: list(v) for code, v in base_cues.items()}
    codes = context.objective_codes
    if context.objective_matcher is not None:
        sim, nearest, words = context.objective_matcher.scores(text)
        for code, value in sim.items():
            add = weights["similarity"] * value
            scores[code] = scores.get(code, 0.0) + add
            if add >= 0.05 and words.get(code):
                cues.setdefault(code, []).append("wording: " + ", ".join(words[code][:3]))
        for code, value in nearest.items():
            add = weights["nearest"] * value
            scores[code] = scores.get(code, 0.0) + add
            if add >= 0.05:
                cues.setdefault(code, []).append(f"like confirmed feedback ({value:.2f})")
    if models is not None and weights["model"]:
        for code, p in models.objective_scores(vec if vec is not None else models.vectorise(text)).items():
            if codes is not None and code not in codes:
                continue
            scores[code] = scores.get(code, 0.0) + weights["model"] * p
            if p >= 0.3:
                cues.setdefault(code, []).append(f"trained model ({p:.2f})")
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        ObjectiveSuggestion(code, round(1 - math.exp(-score), 3), cues.get(code, [])[:6])
        for code, score in ranked[:limit]
        if score >= 0.15
    ]
