"""The pipeline's learned parts: a trained safeguarding screen, sentiment and objective scores.

Why: on unseen text the hand-written safeguarding patterns found about a quarter of the
disclosures, and rule-based sentiment agreed with people half the time; a small classifier
trained on the project's own labelled items does much better. The patterns stay (either can
raise an alert, `feedback.analysis.combine_screens`); the models add what they learned.

What is here:
- `TextFeatures`: word 1–2-grams and character 2–5-grams within words (misspellings such as
  "dissapear" share most of their n-grams with the right spelling), TF-IDF, each part
  L2-normalised. One vectorisation per text feeds all three models (`Models.vectorise`).
- `model_train(extra_labels=...)` → `Candidate`: trains the three models on the shipped labelled
  data (`feedback/evaluation/comments.jsonl` and, once written, `dev.jsonl`; never the held-out
  set) plus any extra labels, chooses the safeguarding threshold and the objective weights by
  cross-validation, and reports the cross-validated figures. Deterministic: the same data give
  the same models, predictions and `version`.
- `model_adopt(candidate)` stores it in the database (`feedback.models.AnalysisModel`, joblib
  bytes + version + figures) as the one active model; `models_current()` is what the workers
  use: the active stored model, loaded once per process, or — failing closed — models trained
  in-process from the shipped data on first use (seconds) when nothing is stored or the stored
  bytes cannot be read. The learned screen is never skipped.

Inference is plain numpy over the fitted vocabulary (no scikit-learn call per item: its input
checks cost more than the arithmetic). scikit-learn is needed only to train.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

# The parts, not the entry point: analysis reaches learning only lazily (learned_models): no cycle.
from .analysis.context import AnalysisContext
from .analysis.data import ANALYSIS_VERSION, DATA, load_objective_cues, load_school_file, load_theme_file
from .analysis.safeguarding import safeguarding_screen
from .analysis.sentiment import sentiment_analyser, sentiment_label
from .analysis.tagging import ThemeSpec, cue_scores, find_themes
from .objective_text import ObjectiveMatcher, objectives_from_plan_file

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
EVALUATION = HERE / "evaluation"
# The held-out set (evaluation/heldout.jsonl) is never read here: it measures this module.
TRAINING_FILES = (EVALUATION / "comments.jsonl", EVALUATION / "dev.jsonl")
PLAN_FILE = HERE.parent / "portal" / "data" / "plans.json"
TRAINING_PLAN = "PAP-2024"  # the plan whose codes the labelled items use
MODEL_SCHEMA = "m1"

CONFIG = {
    "word_ngrams": (1, 2),
    "char_ngrams": (2, 5),
    "char_min_df": 2,
    "safeguarding_C": 10.0,
    "sentiment_C": 4.0,
    "objective_C": 10.0,
    "objective_min_examples": 2,
    "folds": 5,
    "seed": 0,
    # Recall first (a missed disclosure is worse than a false alarm; a person reviews every
    # alert): the threshold is the highest whose cross-validated recall on the development set
    # reaches `recall_goal`; false alarms are kept as low as that allows, the aim being 10%, but
    # never past `false_alarm_budget` (then the budget decides, and recall is what it allows).
    "recall_goal": 0.95,
    "false_alarm_budget": 0.15,
}
SENTIMENT_LABELS = ("negative", "neutral", "positive")
# Words too common to be evidence a person can use ("he", "in the"), left out of `top_terms`.
EVIDENCE_STOP_WORDS = frozenset(
    "a an the and or but if of in on at to for from by with about as into out up down over is are was "
    "were be been being has have had do does did it its this that these those there he she they we i "
    "you me him her them us my our his their your who what when where which how so not no just very "
    "can could would should will shall may might must said says name".split()
)
_WORD_RE = re.compile(r"(?u)\b\w[\w']*\b")


# --------------------------------------------------------------------------------------------
# Labelled examples
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One labelled text. A label that was not given is None (it is then not trained on)."""

    text: str
    safeguarding: bool | None = None
    sentiment: str | None = None
    objectives: tuple[str, ...] | None = None
    category: str = ""
    source: str = ""  # "comments", "dev" or "extra": thresholds are chosen on "dev"


def _example(row: dict, source: str) -> Example:
    objectives = row.get("objectives")
    sentiment = row.get("sentiment")
    return Example(
        text=row["text"],
        safeguarding=row.get("safeguarding"),
        sentiment=sentiment if sentiment in SENTIMENT_LABELS else None,
        objectives=tuple(objectives) if isinstance(objectives, list) else None,
        category=row.get("category") or "",
        source=source,
    )


def shipped_files() -> list[Path]:
    return [p for p in TRAINING_FILES if p.exists()]


def training_examples(extra_labels: list[dict] | None = None) -> list[Example]:
    """The shipped labelled items (regression set + development set) and any extra labels
    (same keys as the JSONL files; any label may be left out)."""
    rows: list[tuple[dict, str]] = []
    for path in shipped_files():
        with path.open(encoding="utf-8") as fh:
            rows += [(json.loads(line), path.stem) for line in fh if line.strip()]
    rows += [(r, "extra") for r in extra_labels or []]
    return [_example(r, source) for r, source in rows if (r.get("text") or "").strip()]


# --------------------------------------------------------------------------------------------
# Features: one vectorisation per text
# --------------------------------------------------------------------------------------------


class TextFeatures:
    """Word and in-word character n-grams, TF-IDF (sublinear tf), each block L2-normalised.
    `vectorise(text)` is the only code path, for training and inference alike."""

    def __init__(self, texts: list[str], config: dict = CONFIG):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.word_range = tuple(config["word_ngrams"])
        word = TfidfVectorizer(analyzer=self._words, lowercase=False).fit(texts)
        self.word_vocab: dict[str, int] = {t: int(i) for t, i in word.vocabulary_.items()}
        self.word_idf = word.idf_.astype(np.float64)
        self.char_range = tuple(config["char_ngrams"])
        df: dict[str, int] = {}
        for text in texts:
            for gram in set(self._char_grams(text)):
                df[gram] = df.get(gram, 0) + 1
        kept = sorted(g for g, d in df.items() if d >= config["char_min_df"])
        self.char_vocab = {g: i for i, g in enumerate(kept)}
        n = len(texts)
        self.char_idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in kept], dtype=np.float64)
        self.n_word = len(self.word_vocab)
        self.size = self.n_word + len(self.char_vocab)
        self._char_cache: dict[str, list[int]] = {}

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_char_cache"] = {}  # a per-process cache, not part of the model
        state.pop("_word_terms", None)
        return state

    def word_term(self, index: int) -> str:
        if getattr(self, "_word_terms", None) is None:
            self._word_terms = {i: t for t, i in self.word_vocab.items()}
        return self._word_terms[index]

    def _words(self, text: str) -> list[str]:
        """Lower-case word 1..n-grams (what scikit-learn's word analyser gives, without its
        per-call overhead)."""
        tokens = _WORD_RE.findall(text.lower())
        lo, hi = self.word_range
        grams = tokens if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            grams = grams + [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return grams

    def _char_grams(self, text: str) -> list[str]:
        lo, hi = self.char_range
        grams: list[str] = []
        for w in text.lower().split():
            w = f" {w} "
            size = len(w)
            grams += [w[i : i + n] for n in range(lo, hi + 1) for i in range(size - n + 1)]
        return grams

    @staticmethod
    def _block(ids: list[int], idf: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray]:
        if not ids:
            return np.empty(0, dtype=np.int64), np.empty(0)
        idx, tf = np.unique(np.array(ids, dtype=np.int64), return_counts=True)
        vals = (1.0 + np.log(tf)) * idf[idx]
        norm = math.sqrt(float(vals @ vals))
        return idx + offset, vals / norm if norm else vals

    def _char_ids(self, word: str) -> list[int]:
        """Feature ids of one word's character n-grams, cached: words repeat from text to text,
        so most are looked up once per process (this is most of the vectorising time)."""
        ids = self._char_cache.get(word)
        if ids is None:
            lo, hi = self.char_range
            w = f" {word} "
            size = len(w)
            get = self.char_vocab.get
            ids = [
                j
                for n in range(lo, hi + 1)
                for i in range(size - n + 1)
                if (j := get(w[i : i + n])) is not None
            ]
            if len(self._char_cache) > 200_000:
                self._char_cache.clear()
            self._char_cache[word] = ids
        return ids

    def vectorise(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, values): a sparse row, computed once per text."""
        get = self.word_vocab.get
        word_ids = [j for term in self._words(text) if (j := get(term)) is not None]
        char_ids: list[int] = []
        for w in text.lower().split():
            char_ids += self._char_ids(w)
        wi, wv = self._block(word_ids, self.word_idf, 0)
        ci, cv = self._block(char_ids, self.char_idf, self.n_word)
        return np.concatenate([wi, ci]), np.concatenate([wv, cv])

    def matrix(self, texts: list[str], extras: np.ndarray | None = None):
        from scipy.sparse import csr_matrix, hstack

        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            idx, val = self.vectorise(text)
            rows.append(np.full(len(idx), r))
            cols.append(idx)
            vals.append(val)
        X = csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(texts), self.size),
        )
        if extras is not None:
            X = hstack([X, csr_matrix(extras)]).tocsr()
        return X


# --------------------------------------------------------------------------------------------
# What the pipeline computes by hand, used as features and for the fusion
# --------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """A labelled example as the pipeline sees it: redacted text (what the models read: names
    and contact details are noise to them), the pattern screen on the original, the rule-based
    sentiment features, the cue scores of the training plan's objectives."""

    example: Example
    redacted: str
    patterns: bool
    sentiment_extras: list[float]
    rule_sentiment: int
    cue_scores: dict[str, float]
    sims: dict[str, float]


@dataclass
class TrainingPlan:
    context: AnalysisContext
    matcher: ObjectiveMatcher
    codes: list[str]


def _training_plan() -> TrainingPlan:
    objectives = objectives_from_plan_file(PLAN_FILE, TRAINING_PLAN)
    themes = [ThemeSpec(t["label"], t["keywords"], t["objectives"]) for t in load_theme_file()]
    codes = [o.code for o in objectives]
    context = AnalysisContext(
        school_names=[name for name, _ in load_school_file()],
        themes=themes,
        objective_cues=load_objective_cues(),
        objective_codes=set(codes),
        learned=False,
    )
    return TrainingPlan(context, ObjectiveMatcher(objectives), codes)


def _prepare(examples: list[Example], plan: TrainingPlan) -> list[Prepared]:
    out = []
    for ex in examples:
        redacted = plan.context.redactor.redact(ex.text).text
        screen = safeguarding_screen(ex.text)
        analyser = sentiment_analyser()
        extras = analyser.features(redacted, at_risk=screen.flagged)
        rule_polarity = analyser.rule_polarity(redacted)
        rule = "negative" if screen.flagged else sentiment_label(rule_polarity)
        themes = find_themes(redacted, plan.context.themes, plan.context.theme_index)
        cues, _ = cue_scores(redacted, plan.context, themes, screen)
        sims, _, _ = plan.matcher.scores(redacted)
        out.append(Prepared(ex, redacted, screen.flagged, extras, SENTIMENT_LABELS.index(rule), cues, sims))
    return out


# --------------------------------------------------------------------------------------------
# The trained models (what is stored and loaded)
# --------------------------------------------------------------------------------------------


@dataclass
class Models:
    """All learned parts, ready to score one text. Picklable (joblib), and small: dense float32
    weights over the fitted vocabulary only."""

    version: str
    features: TextFeatures
    sg_weights: np.ndarray
    sg_bias: float
    sg_threshold: float
    se_weights: np.ndarray  # (features + extras, 3)
    se_bias: np.ndarray
    ob_codes: list[str]
    ob_weights: np.ndarray  # (features, codes)
    ob_bias: np.ndarray
    fusion: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)

    def vectorise(self, text: str):
        return self.features.vectorise(text)

    def safeguarding_score(self, vec) -> float:
        idx, vals = vec
        z = float(vals @ self.sg_weights[idx]) + self.sg_bias
        return 1.0 / (1.0 + math.exp(-z))

    def sentiment(self, vec, extras: list[float]) -> tuple[str, dict[str, float]]:
        idx, vals = vec
        n = self.features.size
        z = vals @ self.se_weights[idx] + np.asarray(extras) @ self.se_weights[n:] + self.se_bias
        z = np.exp(z - z.max())
        p = z / z.sum()
        probs = {label: float(p[i]) for i, label in enumerate(SENTIMENT_LABELS)}
        return SENTIMENT_LABELS[int(np.argmax(p))], probs

    def top_terms(self, vec, weights: np.ndarray, limit: int = 5) -> list[str]:
        """The words (word n-grams) that pushed this text's score up most: evidence a person can
        read (character n-grams are left out, they say little on their own)."""
        idx, vals = vec
        contrib = vals * weights[idx]
        order = np.argsort(-contrib, kind="stable")
        terms = []
        for j in order:
            if contrib[j] <= 0 or len(terms) >= limit:
                break
            if idx[j] < self.features.n_word:
                term = self.features.word_term(int(idx[j]))
                if not set(term.split()) <= EVIDENCE_STOP_WORDS:
                    terms.append(term)
        return terms

    def objective_scores(self, vec) -> dict[str, float]:
        if not self.ob_codes:
            return {}
        idx, vals = vec
        z = vals @ self.ob_weights[idx] + self.ob_bias
        p = 1.0 / (1.0 + np.exp(-z))
        return {code: float(p[i]) for i, code in enumerate(self.ob_codes)}


@dataclass
class Candidate:
    """A freshly trained set of models with its cross-validated figures, not yet in use."""

    models: Models
    metrics: dict
    training: dict

    @property
    def version(self) -> str:
        return self.models.version


def _folds(y: np.ndarray, stratify: bool, k: int, seed: int):
    from sklearn.model_selection import KFold, StratifiedKFold

    if stratify and min(np.bincount(y.astype(int))) >= k:
        return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y))))


def _fit_safeguarding(X, y, config):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        C=config["safeguarding_C"],
        class_weight="balanced",
        solver="liblinear",
        dual=True,
        random_state=config["seed"],
    )
    model.fit(X, y)
    return model


def _fit_sentiment(X, y, config):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        C=config["sentiment_C"], class_weight="balanced", solver="newton-cg", random_state=config["seed"]
    )
    model.fit(X, y)
    return model


def _fit_objectives(X, labels: list[tuple[str, ...]], codes: list[str], config):
    """One logistic regression per objective with enough examples: (codes, weights, biases)."""
    from sklearn.linear_model import LogisticRegression

    kept, weights, biases = [], [], []
    for code in codes:
        y = np.array([code in row for row in labels], dtype=int)
        if y.sum() < config["objective_min_examples"] or y.sum() == len(y):
            continue
        model = LogisticRegression(
            C=config["objective_C"],
            class_weight="balanced",
            solver="liblinear",
            dual=True,
            random_state=config["seed"],
        )
        model.fit(X, y)
        kept.append(code)
        weights.append(model.coef_[0])
        biases.append(model.intercept_[0])
    if not kept:
        return [], np.zeros((X.shape[1], 0), dtype=np.float32), np.zeros(0)
    return kept, np.ascontiguousarray(np.array(weights).T, dtype=np.float32), np.array(biases)


def choose_threshold(
    scores: np.ndarray, y: np.ndarray, recall_goal: float, budget: float, also: np.ndarray | None = None
) -> dict:
    """The highest threshold at which the combined screen (`also`, the patterns' flags, OR
    score ≥ threshold) reaches `recall_goal` with false alarms within `budget`; if none does,
    the lowest threshold within the budget (the most recall it allows). Recall first."""
    also = np.zeros(len(y), dtype=bool) if also is None else also.astype(bool)
    candidates = sorted(set(np.round(scores, 6).tolist()), reverse=True)
    best = None
    for t in candidates:
        flagged = also | (scores >= t)
        recall = float(flagged[y == 1].mean()) if (y == 1).any() else 0.0
        fa = float(flagged[y == 0].mean()) if (y == 0).any() else 0.0
        if fa > budget:
            break
        best = {"threshold": t, "recall": recall, "false_alarm": fa}
        if recall >= recall_goal:
            break
    if best is None:
        t = float(scores.max()) + 1e-6 if len(scores) else 0.5
        flagged = also | (scores >= t)
        best = {
            "threshold": t,
            "recall": float(flagged[y == 1].mean()),
            "false_alarm": float(flagged[y == 0].mean()),
        }
    return best


def _fuse(prep: Prepared, model_p: dict[str, float], nn: dict[str, float], w: dict) -> list[str]:
    scores: dict[str, float] = dict.fromkeys(prep.sims, 0.0)
    for code, s in prep.cue_scores.items():
        scores[code] = scores.get(code, 0.0) + w.get("cues", 1.0) * s
    for code, s in prep.sims.items():
        scores[code] += w["similarity"] * s
    for code, p in model_p.items():
        scores[code] = scores.get(code, 0.0) + w["model"] * p
    for code, s in nn.items():
        scores[code] = scores.get(code, 0.0) + w["nearest"] * s
    return [c for c, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:3] if s > 0]


def _top3(preps, model_ps, nns, w) -> float:
    hits = total = 0
    for prep, mp, nn in zip(preps, model_ps, nns, strict=True):
        gold = prep.example.objectives
        if not gold:
            continue
        total += 1
        hits += bool(set(_fuse(prep, mp, nn, w)) & set(gold))
    return hits / total if total else 0.0


def _dataset_hash(examples: list[Example], config: dict) -> str:
    digest = hashlib.sha256()
    import sklearn

    # The code that computes the features is part of the model: a change to it is a new version.
    code = [*sorted((HERE / "analysis").glob("*.py")), HERE / "objective_text.py", Path(__file__)]
    files = [DATA / "objective_cues.json", DATA / "themes.json", PLAN_FILE, *code]
    head = {
        "schema": MODEL_SCHEMA,
        "analysis": ANALYSIS_VERSION,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__.split(".")[0],
        "config": config,
        "files": [hashlib.sha256(p.read_bytes()).hexdigest() for p in files],
    }
    digest.update(json.dumps(head, sort_keys=True).encode())
    for ex in examples:
        row = [
            ex.text,
            ex.safeguarding,
            ex.sentiment,
            list(ex.objectives or []) if ex.objectives is not None else None,
        ]
        digest.update(json.dumps(row, ensure_ascii=False).encode())
    return digest.hexdigest()


def model_train(extra_labels: list[dict] | None = None, *, config: dict | None = None) -> Candidate:
    """Train a candidate on the shipped labelled data plus `extra_labels` (dicts with `text` and
    any of `safeguarding`, `sentiment`, `objectives`, `category`). Deterministic. Returns the
    candidate with cross-validated figures; nothing is stored (see `model_adopt`)."""
    from threadpoolctl import threadpool_limits

    # One thread: small matrices, and a busy machine makes BLAS threads fight each other.
    with threadpool_limits(limits=1):
        return _train({**CONFIG, **(config or {})}, extra_labels)


def _train(config: dict, extra_labels: list[dict] | None) -> Candidate:
    examples = training_examples(extra_labels)
    plan = _training_plan()
    preps = _prepare(examples, plan)
    texts = [p.redacted for p in preps]
    k, seed = config["folds"], config["seed"]
    metrics: dict = {}

    # Safeguarding screen.
    sg_rows = [i for i, p in enumerate(preps) if p.example.safeguarding is not None]
    y_sg = np.array([int(preps[i].example.safeguarding) for i in sg_rows])
    oof = np.zeros(len(sg_rows))
    for train, test in _folds(y_sg, True, k, seed):
        feats = TextFeatures([texts[sg_rows[i]] for i in train], config)
        model = _fit_safeguarding(feats.matrix([texts[sg_rows[i]] for i in train]), y_sg[train], config)
        oof[test] = model.predict_proba(feats.matrix([texts[sg_rows[i]] for i in test]))[:, 1]
    pattern = np.array([preps[i].patterns for i in sg_rows])
    # The threshold is chosen on the development items' out-of-fold scores when there are any:
    # they were written by people who never saw the rules, like the text the screen will meet;
    # the regression set's traps were written with the rules and are easier.
    dev = np.array([preps[i].example.source == "dev" for i in sg_rows])
    pick = dev if dev.any() and len(set(y_sg[dev])) == 2 else np.ones(len(sg_rows), dtype=bool)
    chosen = choose_threshold(
        oof[pick], y_sg[pick], config["recall_goal"], config["false_alarm_budget"], also=pattern[pick]
    )
    alone = oof >= chosen["threshold"]
    per_category: dict[str, list[int]] = {}
    for j, i in enumerate(sg_rows):
        category = preps[i].example.category
        if y_sg[j] and category:
            per_category.setdefault(category, []).append(int(alone[j] or pattern[j]))
    metrics["safeguarding"] = {
        "threshold": chosen["threshold"],
        "cv_combined_recall": chosen["recall"],
        "cv_combined_false_alarm": chosen["false_alarm"],
        "cv_model_recall": float(alone[y_sg == 1].mean()) if (y_sg == 1).any() else None,
        "cv_model_false_alarm": float(alone[y_sg == 0].mean()) if (y_sg == 0).any() else None,
        "patterns_recall": float(pattern[y_sg == 1].mean()) if (y_sg == 1).any() else None,
        "patterns_false_alarm": float(pattern[y_sg == 0].mean()) if (y_sg == 0).any() else None,
        "cv_recall_by_category": {c: sum(v) / len(v) for c, v in sorted(per_category.items())},
        "threshold_chosen_on": "dev" if pick is dev else "all",
        "cv_all_combined_recall": float((alone | pattern)[y_sg == 1].mean()) if (y_sg == 1).any() else None,
        "cv_all_combined_false_alarm": float((alone | pattern)[y_sg == 0].mean())
        if (y_sg == 0).any()
        else None,
        "positives": int(y_sg.sum()),
        "negatives": int(len(y_sg) - y_sg.sum()),
    }

    # Sentiment: TextBlob polarity and the domain cues are features beside the n-grams.
    se_rows = [i for i, p in enumerate(preps) if p.example.sentiment is not None]
    y_se = np.array([SENTIMENT_LABELS.index(preps[i].example.sentiment) for i in se_rows])
    extras = np.array([preps[i].sentiment_extras for i in se_rows])
    oof_se = np.zeros(len(se_rows), dtype=int)
    for train, test in _folds(y_se, True, k, seed):
        feats = TextFeatures([texts[se_rows[i]] for i in train], config)
        model = _fit_sentiment(
            feats.matrix([texts[se_rows[i]] for i in train], extras[train]), y_se[train], config
        )
        oof_se[test] = model.predict(feats.matrix([texts[se_rows[i]] for i in test], extras[test]))
    at_risk = np.array([preps[i].patterns for i in se_rows])
    oof_se = np.where(at_risk, 0, oof_se)
    rule = np.array([preps[i].rule_sentiment for i in se_rows])
    metrics["sentiment"] = {
        "cv_agreement": float((oof_se == y_se).mean()) if len(y_se) else None,
        "rules_agreement": float((rule == y_se).mean()) if len(y_se) else None,
        "items": len(se_rows),
    }

    # Objectives: per-objective models, then fusion weights chosen on out-of-fold scores.
    ob_rows = [i for i, p in enumerate(preps) if p.example.objectives is not None]
    labels = [preps[i].example.objectives for i in ob_rows]
    ob_preps = [preps[i] for i in ob_rows]
    oof_p: list[dict[str, float]] = [{} for _ in ob_rows]
    oof_nn: list[dict[str, float]] = [{} for _ in ob_rows]
    objectives = objectives_from_plan_file(PLAN_FILE, TRAINING_PLAN)
    for train, test in _folds(np.zeros(len(ob_rows)), False, k, seed):
        tr_texts = [texts[ob_rows[i]] for i in train]
        feats = TextFeatures(tr_texts, config)
        codes, W, b = _fit_objectives(feats.matrix(tr_texts), [labels[i] for i in train], plan.codes, config)
        # Staff-confirmed items, simulated by the training fold's labels.
        matcher = ObjectiveMatcher(
            objectives, [(c, tr_texts[j]) for j, i in enumerate(train) for c in labels[i]]
        )
        for i in test:
            idx, vals = feats.vectorise(texts[ob_rows[i]])
            if codes:
                p = 1.0 / (1.0 + np.exp(-(vals @ W[idx] + b)))
                oof_p[i] = {c: float(p[j]) for j, c in enumerate(codes)}
            _, oof_nn[i], _ = matcher.scores(texts[ob_rows[i]])
    fusion = _choose_fusion(ob_preps, oof_p, oof_nn)
    metrics["objectives"] = fusion.pop("figures")

    # Final models on everything.
    feats = TextFeatures(texts, config)
    X_all = feats.matrix(texts)
    sg_model = _fit_safeguarding(X_all[sg_rows], y_sg, config)
    se_model = _fit_sentiment(feats.matrix([texts[i] for i in se_rows], extras), y_se, config)
    codes, W, b = _fit_objectives(X_all[ob_rows], labels, plan.codes, config)
    version = f"{MODEL_SCHEMA}-{_dataset_hash(examples, config)[:16]}"
    training = {
        "files": [p.name for p in shipped_files()],
        "examples": len(examples),
        "extra_labels": len(extra_labels or []),
        "plan": TRAINING_PLAN,
        "config": config,
    }
    models = Models(
        version=version,
        features=feats,
        sg_weights=np.ascontiguousarray(sg_model.coef_[0], dtype=np.float32),
        sg_bias=float(sg_model.intercept_[0]),
        sg_threshold=float(chosen["threshold"]),
        se_weights=np.ascontiguousarray(_class_order(se_model).T, dtype=np.float32),
        se_bias=np.array([se_model.intercept_[list(se_model.classes_).index(i)] for i in range(3)]),
        ob_codes=codes,
        ob_weights=W,
        ob_bias=b,
        fusion=fusion,
        metrics=metrics,
        training=training,
    )
    return Candidate(models=models, metrics=metrics, training=training)


def _class_order(model) -> np.ndarray:
    classes = list(model.classes_)
    return np.array([model.coef_[classes.index(i)] for i in range(3)])


def _choose_fusion(preps: list[Prepared], model_ps, nns) -> dict:
    """Weights for combining the objective signals, by out-of-fold top-3 hit rate.

    Two settings: `any_plan` (a plan the models were not trained on: only the objectives' own
    words and the feedback staff confirmed for them) and `known_plan` (the training plan: also
    the cue lists and the per-objective models)."""
    empty = [{} for _ in preps]
    bare = [
        Prepared(p.example, p.redacted, p.patterns, p.sentiment_extras, p.rule_sentiment, {}, p.sims)
        for p in preps
    ]
    # Only the ratios change the ranking; the similarity weight is fixed at 1 so that a clear
    # overlap of words (cosine ≥ 0.15) is enough for a suggestion on a plan with no history.
    best_any, score_any = None, -1.0
    for wn in (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0):
        w = {"cues": 0.0, "similarity": 1.0, "model": 0.0, "nearest": wn}
        s = _top3(bare, empty, nns, w)
        if s > score_any + 1e-9:
            best_any, score_any = w, s
    sim_only = _top3(bare, empty, empty, {"cues": 0.0, "similarity": 1.0, "model": 0.0, "nearest": 0.0})
    best_known, score_known = None, -1.0
    for wm in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0):
        for ws in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
            w = {"cues": 1.0, "similarity": ws, "model": wm, "nearest": best_any["nearest"]}
            s = _top3(preps, model_ps, empty, w)
            if s > score_known + 1e-9:
                best_known, score_known = w, s
    cues_only = _top3(preps, empty, empty, {"cues": 1.0, "similarity": 0.0, "model": 0.0, "nearest": 0.0})
    return {
        "any_plan": best_any,
        "known_plan": best_known,
        "figures": {
            "cv_top3_known_plan": score_known,
            "cv_top3_any_plan_with_confirmed": score_any,
            "top3_similarity_only": sim_only,
            "top3_cues_only": cues_only,
            "items": sum(1 for p in preps if p.example.objectives),
        },
    }


# --------------------------------------------------------------------------------------------
# The store: adopt a candidate, load the active one once per process
# --------------------------------------------------------------------------------------------

_lock = threading.Lock()
_state: dict = {"models": None, "version": None, "shipped": None, "loads": 0, "trainings": 0}


def dumps(models: Models) -> bytes:
    import joblib

    buf = io.BytesIO()
    joblib.dump(models, buf, compress=3)
    return buf.getvalue()


def loads(data: bytes) -> Models:
    import joblib

    return joblib.load(io.BytesIO(bytes(data)))


def model_adopt(candidate: Candidate):
    """Store the candidate as the active model (the previous one stays, inactive, for the
    record) and use it in this process at once; other processes pick it up within seconds
    (`feedback.selectors.analysis_context` checks the active version)."""
    from django.db import transaction
    from django.utils import timezone

    from .models import AnalysisModel

    data = dumps(candidate.models)
    with transaction.atomic():
        AnalysisModel.objects.filter(is_active=True).exclude(version=candidate.version).update(
            is_active=False
        )
        row, _ = AnalysisModel.objects.update_or_create(
            version=candidate.version,
            defaults={
                "data": data,
                "metrics": _jsonable(candidate.metrics),
                "training": _jsonable(candidate.training),
                "is_active": True,
                "adopted_at": timezone.now(),
            },
        )
    with _lock:
        _state.update(models=candidate.models, version=candidate.version)
    return row


def _jsonable(value):
    return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


def active_version() -> str | None:
    from .models import AnalysisModel

    return AnalysisModel.objects.filter(is_active=True).values_list("version", flat=True).first()


def shipped_version() -> str:
    """The version the shipped data would train to, without training (a hash of data and code)."""
    return f"{MODEL_SCHEMA}-{_dataset_hash(training_examples(None), dict(CONFIG))[:16]}"


def _cache_file(version: str) -> Path | None:
    directory = getattr(settings, "ANALYSIS_MODEL_CACHE_DIR", "")
    return Path(directory) / f"{version}.joblib" if directory else None


def _shipped_from_cache() -> Models | None:
    """The shipped-data models a previous process trained, from the local cache directory
    (ANALYSIS_MODEL_CACHE_DIR), so each new process (a worker, a test run, a management
    command) loads them in a moment instead of training for seconds. The file is named by the
    version hash of the data and code, so a stale file is never used."""
    version = shipped_version()
    path = _cache_file(version)
    if path is None or not path.is_file():
        return None
    try:
        models = loads(path.read_bytes())
    except Exception:  # a truncated or incompatible file: train again
        logger.warning("Cached analysis models %s unreadable; training again", path, exc_info=True)
        return None
    return models if models.version == version else None


def _shipped_to_cache(models: Models) -> None:
    path = _cache_file(models.version)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(dumps(models))
        tmp.replace(path)  # atomic: another process never reads half a file
    except OSError:
        logger.warning("Could not cache the analysis models in %s", path.parent, exc_info=True)


def models_shipped() -> Models:
    """Models trained from the shipped data (once per process, or loaded from the local cache of
    an earlier training): the fallback when nothing is stored, and what the pure analysis
    functions use when no context supplies models."""
    with _lock:
        if _state["shipped"] is None:
            models = _shipped_from_cache()
            if models is None:
                logger.info("Training the analysis models from the shipped data in-process")
                models = model_train().models
                _state["trainings"] += 1
                _shipped_to_cache(models)
            _state["shipped"] = models
        return _state["shipped"]


def models_current(version: str | None = ...) -> Models:  # type: ignore[assignment]
    """The models every analysis uses: the active stored ones, loaded once per process (again
    only when another version is adopted), else the shipped-data models (fail closed)."""
    if version is ...:
        try:
            version = active_version()
        except Exception:  # no database here (a script, a broken connection): still screen
            logger.warning(
                "Could not read the active analysis model; using the shipped-data models", exc_info=True
            )
            version = None
    if version is None:
        return models_shipped()
    with _lock:
        if _state["version"] == version and _state["models"] is not None:
            return _state["models"]
    from .models import AnalysisModel

    row = AnalysisModel.objects.filter(version=version).first()
    try:
        models = loads(row.data) if row is not None else None
    except Exception:  # an unreadable or incompatible artefact: never run without the screen
        logger.exception(
            "Stored analysis model %s could not be loaded; using the shipped-data models", version
        )
        models = None
    if models is None:
        return models_shipped()
    with _lock:
        _state.update(models=models, version=version)
        _state["loads"] += 1
    return models


def models_reset_loaded() -> None:
    """Forget the stored model loaded in this process (the next call loads it again)."""
    with _lock:
        _state.update(models=None, version=None)
