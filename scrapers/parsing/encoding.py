"""Bytes to the right characters.

Precedence: a byte-order mark, then the HTTP header's charset, then the
document's own declaration (XML declaration or HTML meta), then detection with
charset-normalizer. Declared names are read the way browsers read them
(WHATWG): GB2312 means GB18030, ISO-8859-1 and ASCII mean windows-1252,
Shift_JIS means cp932, EUC-KR means cp949, Big5 means Big5-HKSCS, because
servers keep the old name while the text uses the superset.

Two corrections on top, both common misconfigurations seen in the wild:
- bytes that are valid UTF-8 (with non-ASCII text) are read as UTF-8 whatever
  a header or declaration claims: real text in another encoding is almost
  never valid UTF-8 by accident;
- an ISO-8859-1 / ASCII charset in the HTTP header is usually the web server's
  default, not the author's choice: a different declaration in the document
  that decodes cleanly wins over it.
A declaration that does not decode falls back to detection. Text that was
UTF-8 encoded twice (UTF-8 read as windows-1252 and saved again as UTF-8) is
repaired when the whole document round-trips.
"""

import codecs
import logging
import re
from dataclasses import dataclass, field
from typing import Literal

import charset_normalizer

logger = logging.getLogger(__name__)

CharsetSource = Literal["bom", "http", "document", "utf-8", "detected", "fallback"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32_le"),
    (codecs.BOM_UTF32_BE, "utf_32_be"),
    (codecs.BOM_UTF8, "utf_8"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)

# Declared name (after codecs.lookup) -> the superset actually in use.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "tis_620": "cp874",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "iso2022_jp": "iso2022_jp_ext",
}
# Names codecs.lookup does not know but web pages use.
_ALIASES = {
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-gbk": "gb18030",
    "x-euc-jp": "euc_jp",
    "ks_c_5601-1987": "cp949",
    "x-windows-949": "cp949",
    "unicode": "utf-16",
    "x-user-defined": "cp1252",
}
# When detection hesitates between encodings that read the bytes equally
# well, prefer what the web actually uses (lower is preferred).
_PRIOR = {
    "utf_8": 0,
    "ascii": 0,
    "cp1252": 1,
    "gb18030": 2,
    "cp932": 2,
    "euc_jp": 2,
    "cp949": 2,
    "big5hkscs": 2,
    "big5": 2,
    "cp1251": 2,
    "iso2022_jp_ext": 2,
    "cp1250": 3,
    "cp1253": 3,
    "cp1254": 3,
    "cp1255": 3,
    "cp1256": 3,
    "koi8_r": 3,
    "iso8859_15": 3,
    "iso8859_2": 4,
}
_SINGLE_BYTE_LATIN = {"cp1252"}

_XML_DECL = re.compile(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)")
_META_CHARSET = re.compile(
    rb"<meta\b[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
# A UTF-8 lead byte read as windows-1252 (Ã, Â, Ð, Ñ...) followed by a
# continuation byte read the same way: the mark of text encoded twice.
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u0192\u02c6-\u2122]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    source: CharsetSource
    warnings: list[str] = field(default_factory=list)


def codec_name(label: str | None) -> str | None:
    """The Python codec for a declared charset label, superset applied."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_ALIASES.get(label, label)).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    return _SUPERSETS.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def declared_charset(body: bytes) -> str | None:
    """The XML declaration's or HTML meta tag's charset, if any."""
    head = body[:4096]
    if head.startswith((b"<\x00?\x00", b"\x00<\x00?")):
        # UTF-16 without a BOM: the declaration itself is in UTF-16.
        return "utf_16_le" if head[0] == 0x3C else "utf_16_be"
    match = _XML_DECL.search(head[:1024]) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _bom(body: bytes) -> tuple[str, int] | None:
    for mark, name in _BOMS:
        if body.startswith(mark):
            return name, len(mark)
    return None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _has_non_ascii(body: bytes) -> bool:
    return not body.isascii()


def _is_wide(encoding: str) -> bool:
    return encoding.startswith(("utf_16", "utf_32"))


def _detect(body: bytes) -> tuple[str, str] | None:
    """(codec, text) from charset-normalizer, ties broken by the web's habits."""
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return None
    best_chaos = min(match.chaos for match in matches)
    candidates: list[tuple[int, float, str]] = []
    for match in matches:
        if match.chaos > best_chaos + 0.02:
            continue
        # could_be_from_charset lists the encodings giving the very same text.
        for name in [match.encoding, *match.could_be_from_charset]:
            name = codec_name(name) or name
            candidates.append((_PRIOR.get(name, 9), match.chaos, name))
    for _prior, _chaos, name in sorted(candidates):
        text = _strict(body, name)
        if text is not None:
            return name, text
    return None


def _c1_as_bytes(error: UnicodeError) -> tuple[bytes, int]:
    """Encode error handler: the five bytes windows-1252 leaves undefined come
    back as C1 controls when browsers (and the tools that double-encode) read
    them; give them back their byte."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    if all(0x80 <= ord(char) < 0xA0 for char in chunk):
        return bytes(ord(char) for char in chunk), error.end
    raise error


codecs.register_error("tsunagu-c1-bytes", _c1_as_bytes)


def repair_double_utf8(text: str) -> str | None:
    """The text before it was encoded twice, or None if it was not (or if the
    whole text does not round-trip, in which case it is left alone)."""
    if text.isascii():
        return None
    # The round trip first: it fails at the first character windows-1252
    # lacks or the first byte that is not UTF-8, usually early, where the
    # scan for markers always reads the whole text.
    try:
        repaired = text.encode("cp1252", errors="tsunagu-c1-bytes").decode("utf-8")
    except UnicodeError:
        return None
    markers = _MOJIBAKE.finditer(text)
    if next(markers, None) is None or next(markers, None) is None:
        return None
    return repaired if repaired != text else None


def decode_document(body: bytes, content_type: str | None) -> Decoded:
    warnings: list[str] = []
    bom = _bom(body)
    if bom:
        name, length = bom
        text = body[length:].decode(name, errors="replace")
        if "\ufffd" in text:
            warnings.append(
                "Some bytes are not valid Unicode despite the byte-order mark."
            )
        return _repaired(Decoded(text, name, "bom", warnings))

    header_label = charset_from_content_type(content_type)
    document_label = declared_charset(body)
    utf8 = _strict(body, "utf-8")
    if utf8 is not None and "\x00" in utf8[:4096]:
        utf8 = None  # UTF-16 or UTF-32 without a BOM: NULs are valid UTF-8
    declared: list[tuple[CharsetSource, str, str]] = []
    for source, label in (("http", header_label), ("document", document_label)):
        if not label:
            continue
        name = codec_name(label)
        if name is None:
            warnings.append(f"The declared character set “{label}” is unknown.")
        elif _is_wide(name) and body[:1] == b"<" and body[1:2] != b"\x00":
            continue  # "UTF-16" on bytes that are plainly not UTF-16
        else:
            declared.append((source, label, name))
    if (
        len(declared) == 2
        and declared[0][2] in _SINGLE_BYTE_LATIN
        and declared[1][2] != declared[0][2]
        and _strict(body, declared[1][2]) is not None
    ):
        # The server's default charset against the author's declaration.
        declared.pop(0)

    result: Decoded | None = None
    for source, label, name in declared:
        if (
            utf8 is not None
            and name != "utf_8"
            and not _is_wide(name)
            and _has_non_ascii(body)
        ):
            warnings.append(
                f"The text is declared as {label} but is UTF-8; read as UTF-8."
            )
            result = Decoded(utf8, "utf_8", "utf-8", warnings)
            break
        text = _strict(body, name)
        if text is not None:
            result = Decoded(text, name, source, warnings)
            break
        warnings.append(f"The text is declared as {label} but is not valid {label}.")
    if result is None and b"\x1b$" in body[:65536]:
        # ISO-2022-JP and -KR are 7-bit: valid UTF-8, but escape sequences.
        for name in ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_kr"):
            text = _strict(body, name)
            if text is not None:
                result = Decoded(text, name, "detected", warnings)
                break
    if result is None and utf8 is not None:
        result = Decoded(utf8, "utf_8", "utf-8", warnings)
    if result is None:
        detected = _detect(body)
        if detected:
            name, text = detected
            if declared:
                warnings.append(f"Read as {name} (detected).")
            result = Decoded(text, name, "detected", warnings)
        else:
            warnings.append(
                "The character set could not be found; read as windows-1252."
            )
            text = body.decode("cp1252", errors="replace")
            result = Decoded(text, "cp1252", "fallback", warnings)

    return _repaired(result)


def _repaired(result: Decoded) -> Decoded:
    if not result.encoding.startswith("utf"):
        return result
    repaired = repair_double_utf8(result.text)
    if repaired is None:
        return result
    warning = (
        "The text had been encoded twice (UTF-8 read as windows-1252, then saved "
        "again as UTF-8); Tsunagu repaired it."
    )
    return Decoded(
        repaired, result.encoding, result.source, [*result.warnings, warning]
    )


def decode(body: bytes, content_type: str | None = None) -> str:
    """The document's characters; see the module docstring for the rules."""
    return decode_document(body, content_type).text
