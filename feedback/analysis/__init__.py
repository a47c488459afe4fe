"""All text analysis for feedback: redaction, safeguarding screen, sentiment, themes, key
phrases, objective suggestions, spam/empty detection and language routing.

`analyse()` is the entry point other apps need; the rest of this module's surface is re-exported
from the parts, one job each:

- `data`: ANALYSIS_VERSION and the shipped data files (feedback/data/);
- `redaction`: personal data found and replaced with placeholders;
- `safeguarding`: the risk patterns, combined with the trained screen;
- `sentiment`: TextBlob's pattern analyser plus domain cues, or the trained model;
- `tagging`: key phrases, themes and plan objective suggestions;
- `setaside`: empty answers, spam, and text not in English (withheld for translation);
- `context`: `AnalysisContext`, what the pipeline needs from the database, built once.

This package is the only place that imports TextBlob (house rule), so the analyser can be
swapped or upgraded in one place. It is pure: no database access. Callers pass an
`AnalysisContext` (schools, themes, objective cue profiles, the current plan's objective texts
and confirmed tags, the trained models) built by `feedback.selectors.analysis_context()`.

Since issue 14 the hand-written rules work beside trained models (`feedback.learning`): the
safeguarding patterns OR a trained screen raise an alert, with the evidence of both; sentiment
is a trained model reading TextBlob's polarity among its features; objective suggestions add
the plan's own wording (`feedback.objective_text`), confirmed tags and per-objective models to
the cue lists. Text not in English (lingua-language-detector, models in its wheel) is withheld
and marked for translation instead of being analysed as English.

Everything here works offline. TextBlob features that need NLTK data (`.words`, `.sentences`,
default `.noun_phrases`, `.tags`) are never used: sentiment comes from the pattern analyser whose
lexicon ships in the wheel, noun phrases from the chunks `textblob.en.parse` returns, and first
names from the gazetteer the `gender-guesser` package ships.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .context import AnalysisContext
from .data import ANALYSIS_VERSION, DATA, load_objective_cues, load_school_file, load_theme_file
from .redaction import Span
from .safeguarding import (
    TRAINED_SCREEN,
    Safeguarding,
    combine_screens,
    safeguarding_quick_screen,
    safeguarding_screen,
)
from .sentiment import SentimentResult, sentiment_analyser, sentiment_label
from .setaside import ENGLISH, detect_language, set_aside, withheld_message
from .tagging import (
    ObjectiveSuggestion,
    ThemeMatch,
    ThemeSpec,
    cue_scores,
    find_themes,
    key_phrases,
    suggest_objectives,
)

__all__ = [
    # The entry point and what it returns.
    "analyse",
    "AnalysisResult",
    "ObjectiveSuggestion",
    "Safeguarding",
    "SentimentResult",
    "Span",
    "ThemeMatch",
    # Used by callers and tests as `analysis.<name>` before the split.
    "ANALYSIS_VERSION",
    "DATA",
    "ENGLISH",
    "TRAINED_SCREEN",
    "AnalysisContext",
    "ThemeSpec",
    "combine_screens",
    "cue_scores",
    "detect_language",
    "find_themes",
    "load_objective_cues",
    "load_school_file",
    "load_theme_file",
    "safeguarding_quick_screen",
    "safeguarding_screen",
    "sentiment_analyser",
    "sentiment_label",
    "withheld_message",
]


@dataclass
class AnalysisResult:
    redacted_text: str
    spans: list[Span]
    safeguarding: Safeguarding
    sentiment: SentimentResult
    themes: list[ThemeMatch]
    key_phrases: list[str]
    objectives: list[ObjectiveSuggestion]
    set_aside: str
    language: str = "en"
    language_name: str = "English"
    needs_translation: bool = False
    version: str = ""

    @property
    def redaction_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for span in self.spans:
            counts[span.kind] = counts.get(span.kind, 0) + 1
        return counts

    @property
    def withheld(self) -> bool:
        """No text of the item is shown (redaction could not be trusted on it)."""
        return self.needs_translation


def analyse(text: str, *, context: AnalysisContext) -> AnalysisResult:
    """Run every step on one text. Deterministic: the same text, context and models give the
    same result. Text in another language is not analysed as English: it is withheld and
    marked for translation (the patterns still run on it: a risk written partly in English
    must not be lost)."""
    text = (text or "").replace("\x00", "")
    models = context.learned_models()
    version = f"{ANALYSIS_VERSION}+{models.version if models is not None else 'rules'}"
    aside = set_aside(text)
    # Safeguarding runs on the original: redaction must never hide a risk.
    patterns = safeguarding_screen(text)
    code, name = ENGLISH if aside else detect_language(text)
    if code != "en":
        return AnalysisResult(
            withheld_message(name),
            [],
            patterns,
            SentimentResult(0.0, 0.0, "", 0.0),
            [],
            [],
            [],
            aside,
            language=code,
            language_name=name,
            needs_translation=True,
            version=version,
        )
    redaction = context.redactor.redact(text)
    # The models read the redacted text (names and contact details are noise to them), once.
    vec = models.vectorise(redaction.text) if models is not None else None
    screen = combine_screens(patterns, models, vec)
    sentiment = sentiment_analyser().analyse(redaction.text, at_risk=screen.flagged, models=models, vec=vec)
    themes = find_themes(redaction.text, context.themes, context.theme_index)
    without_placeholders = re.sub(r"\[[^\]]+\]", ",", redaction.text)
    phrases = key_phrases(without_placeholders) if not aside else []
    objectives = []
    if not aside:
        objectives = suggest_objectives(redaction.text, context, themes, screen, models=models, vec=vec)
    return AnalysisResult(
        redaction.text,
        redaction.spans,
        screen,
        sentiment,
        themes,
        phrases,
        objectives,
        aside,
        version=version,
    )
