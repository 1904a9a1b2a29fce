"""Language codes: normalising what feeds declare, guessing what they do not."""

import functools
import logging
import re

logger = logging.getLogger(__name__)

# Below these, a guess is worse than no answer: callers fall back to the
# source's configured language.
MIN_LETTERS = 20
MIN_CJK = 2
MIN_CONFIDENCE = 0.5

_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
_SIMPLIFIED_REGIONS = {"cn", "sg", "my", "hans"}
_TRADITIONAL_REGIONS = {"tw", "hk", "mo", "hant"}


def normalise_language(tag: str | None) -> str | None:
    """A declared language as BCP 47 (``en-us`` → ``en-US``), Chinese as our
    locale codes (``zh-CN`` → ``zh-hans``, ``zh-TW`` → ``zh-hant``); None when
    it is not a language tag at all."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if not _TAG.match(tag) or len(tag) > 16:
        return None
    language, *rest = tag.split("-")
    if language == "zh":
        if _SIMPLIFIED_REGIONS.intersection(rest):
            return "zh-hans"
        if _TRADITIONAL_REGIONS.intersection(rest):
            return "zh-hant"
        return "zh"
    parts = [language]
    for part in rest:
        if len(part) == 2 or (len(part) == 3 and part.isdigit()):
            parts.append(part.upper())  # region
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())  # script
        else:
            parts.append(part)
    return "-".join(parts)


@functools.cache
def _identifier():
    # Loading the model costs about 0.6 s of CPU: once per process, on demand.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _chinese_script(han: str) -> str:
    """zh-hans or zh-hant, by which legacy character set can spell the text:
    GB2312 holds simplified characters, Big5 traditional ones."""
    simplified = traditional = 0
    for char in han[:500]:
        in_gb = _encodable(char, "gb2312")
        in_big5 = _encodable(char, "big5")
        if in_gb and not in_big5:
            simplified += 1
        elif in_big5 and not in_gb:
            traditional += 1
    return "zh-hant" if traditional > simplified else "zh-hans"


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def detect_language(text: str) -> str | None:
    """Our code for the text's language, or None when unsure.

    Scripts decide first, since they are certain where a statistical model is
    not: kana means Japanese, Hangul Korean, Han characters alone Chinese.
    """
    if not text:
        return None
    sample = text[:5000]
    kana, hangul = len(_KANA.findall(sample)), len(_HANGUL.findall(sample))
    han = "".join(_HAN.findall(sample))
    letters = len(_LETTER.findall(sample))
    cjk = kana + hangul + len(han)
    # Only when East Asian script is a good part of the text: an English
    # article quoting a Japanese name is still English.
    if cjk >= MIN_CJK and cjk * 3 >= letters:
        if kana and kana >= hangul and (kana >= 2 or kana * 10 >= cjk):
            return "ja"
        if hangul:
            return "ko"
        return _chinese_script(han)
    if letters < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE or code in {"und", "zxx"}:
        return None
    if code == "zh":
        return _chinese_script(han)
    return normalise_language(code)
