"""What is set aside before analysis: empty answers and spam, and text not in English (withheld
and routed for translation: redaction only works on English)."""

from __future__ import annotations

import functools
import re

# The word lists redaction tells names from words with also say which words are English.
from .redaction import NOT_NAMES, _word_frequency

# --------------------------------------------------------------------------------------------
# Spam and empty content
# --------------------------------------------------------------------------------------------

SPAM_RE = re.compile(
    r"\b(?:viagra|cialis|casino|crypto(?:currency)?|bitcoin|forex|betting|payday loan|loans?\b.*\bapprov|"
    r"seo services|backlinks?|click here|buy now|free money|work from home and earn|earn \$|"
    r"escort|porn|xxx|replica watches|weight loss pills|promo code|discount code|visit my (?:site|website))",
    re.IGNORECASE,
)
URL_RE = re.compile(r"https?://|www\.", re.IGNORECASE)
EMPTY_RE = re.compile(
    r"^(?:n/?a|none|nothing|no|nope|no comment|no comments|nil|-+|\.+|\?+|test|testing|asdf\w*|"
    r"not applicable|nothing to add|nothing else|no thanks|ok|okay)[.!]*$",
    re.IGNORECASE,
)


def set_aside(text: str) -> str:
    stripped = text.strip()
    letters = re.findall(r"[A-Za-z]", stripped)
    if not stripped or len(letters) < 3 or EMPTY_RE.match(stripped):
        return "empty"
    if re.search(r"(.)\1{9,}", stripped) and len(set(stripped)) < 6:
        return "empty"
    if SPAM_RE.search(stripped) or len(URL_RE.findall(stripped)) >= 2:
        return "spam"
    if re.search(r"[\u0400-\u04FF\u4e00-\u9fff]{8,}", stripped) and URL_RE.search(stripped):
        return "spam"
    return ""


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------

# Languages commonly written in England besides English, that lingua-language-detector ships
# models for (it works offline). Restricting the set makes detection faster and surer.
LANGUAGES = {
    "ENGLISH": "English",
    "POLISH": "Polish",
    "URDU": "Urdu",
    "PUNJABI": "Punjabi",
    "BENGALI": "Bengali",
    "ARABIC": "Arabic",
    "ROMANIAN": "Romanian",
    "PORTUGUESE": "Portuguese",
    "SPANISH": "Spanish",
    "FRENCH": "French",
    "SOMALI": "Somali",
    "LITHUANIAN": "Lithuanian",
    "TURKISH": "Turkish",
    "GUJARATI": "Gujarati",
    "ITALIAN": "Italian",
    "GERMAN": "German",
    "PERSIAN": "Persian",
    "CHINESE": "Chinese",
    "TAMIL": "Tamil",
    "HINDI": "Hindi",
    "UKRAINIAN": "Ukrainian",
    "RUSSIAN": "Russian",
    "ALBANIAN": "Albanian",
    "BULGARIAN": "Bulgarian",
    "HUNGARIAN": "Hungarian",
    "SLOVAK": "Slovak",
    "CZECH": "Czech",
    "LATVIAN": "Latvian",
    "VIETNAMESE": "Vietnamese",
    "GREEK": "Greek",
}
# Left out on purpose: languages whose short samples look like English text-speak to the detector
# (Welsh, Tagalog, Shona, Yoruba, Swahili, Dutch) and are rarely written to an English council.
ENGLISH = ("en", "English")
_LETTER_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Fewer words than this, or too few of them unknown to English, and the text stays English:
# "Merci beaucoup" or a list of names could be anything, and English is the safe reading
# only because a short text in another language still reaches a person through triage.
MIN_WORDS_FOR_LANGUAGE = 4
# Tags, entities, and any token holding code punctuation (=, brackets, slashes: attributes,
# URLs, script) carry no language.
_NOT_PROSE_RE = re.compile(r"<[^>]*>?|&#?\w+;|\S*[=(){}\[\]<>/\\|`]\S*")
MIN_CONFIDENCE = 0.6
# A text this share of whose words are English words is English without asking the detector
# (most feedback; the detector is slower). French and Spanish share many words with English
# word lists, so the bar is high and the rest is left to the detector.
ENGLISH_SHARE = 0.85
SHORT_TEXT_WORDS = 8


@functools.cache
def _english_words() -> frozenset[str]:
    """Words of English books (TextBlob's spelling list) and the local words in NOT_NAMES."""
    return frozenset(w.lower() for w in _word_frequency()) | NOT_NAMES | {"i'm", "don't", "can't", "won't"}


@functools.cache
def _language_detector():
    """Built once per process; lingua ships its language models in the wheel (no download).
    Low-accuracy mode (trigram models only) loads in half a second instead of ten or more and
    tells these languages apart on a sentence; the texts it sees are never very short (below)."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LANGUAGES if hasattr(Language, name)]
    builder = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def detect_language(text: str) -> tuple[str, str]:
    """(ISO 639-1 code, English name) of the language a text is written in. Most feedback is
    plainly English and is recognised from its words alone; only the rest goes to lingua.
    Short or ambiguous texts count as English. Markup, code and addresses are no language at
    all: they are taken out first, so pasted HTML is never "routed for translation"."""
    words = _LETTER_WORD_RE.findall(_NOT_PROSE_RE.sub(" ", text))
    if len(words) < MIN_WORDS_FOR_LANGUAGE:
        return ENGLISH
    english = _english_words()
    # Acronyms ("EHCP", "SENCO") and capitalised words English does not know (names, places)
    # say nothing about the language.
    counted = []
    for w in words:
        low = w.lower().replace("’", "'")
        if (w.isupper() and len(w) > 1) or (w[0].isupper() and low not in english):
            continue
        counted.append(low)
    if len(counted) < MIN_WORDS_FOR_LANGUAGE:
        return ENGLISH
    known = sum(1 for w in counted if w in english)
    if known >= ENGLISH_SHARE * len(counted):
        return ENGLISH
    if len(counted) < SHORT_TEXT_WORDS and known >= 0.5 * len(counted):
        return ENGLISH  # "thx so much 4 the help lol": too little to go on, and half English
    values = _language_detector().compute_language_confidence_values(text)
    if not values:
        return ENGLISH
    top = values[0]
    name = top.language.name
    if name == "ENGLISH" or top.value < MIN_CONFIDENCE:
        return ENGLISH
    return top.language.iso_code_639_1.name.lower(), LANGUAGES.get(name, name.title())


def withheld_message(language_name: str) -> str:
    """What everyone but the safeguarding lead sees instead of text in another language."""
    return (
        f"(Withheld: this feedback is written in {language_name}. It needs translating by a person "
        "before it can be read here; redaction only works on English.)"
    )
