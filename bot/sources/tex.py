"""Decode TeX accent macros (as arXiv writes author names) into Unicode.

Only text-mode accents and a few special letters are decoded; math (``$...$``) and unknown
macros are left exactly as given, so decoding never loses information it does not understand.
"""

from __future__ import annotations

import re
import unicodedata

# Combining marks for accent commands. Symbol accents (\' \" ...) take the next letter directly;
# letter accents (\c \v ...) are control words, so TeX needs braces or a space before the letter.
_SYMBOL_ACCENTS = {
    "'": "\u0301",
    '"': "\u0308",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
}
_WORD_ACCENTS = {
    "c": "\u0327",
    "v": "\u030c",
    "H": "\u030b",
    "u": "\u0306",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_SPECIALS = {
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "ss": "ß",
    "l": "ł",
    "L": "Ł",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "i": "ı",
    "j": "ȷ",
    "th": "þ",
    "TH": "Þ",
    "dh": "ð",
    "DH": "Ð",
    "dj": "đ",
    "DJ": "Đ",
    "ng": "ŋ",
    "NG": "Ŋ",
}

# The accented base: a letter, or dotless \i / \j (bare, possibly followed by the space TeX
# swallows after a control word, or braced).
_BASE = r"(?:\{\s*(?:[A-Za-z]|\\[ij])\s*\}|\\[ij](?![A-Za-z]) ?|[A-Za-z])"
_SYM = "[" + re.escape("".join(_SYMBOL_ACCENTS)) + "]"
_WORD = "[" + "".join(_WORD_ACCENTS) + "]"
_SPECIAL = "(?:" + "|".join(sorted(_SPECIALS, key=len, reverse=True)) + ")"
# One decodable unit: accent + base, or a special letter (followed by {} or a swallowed space).
_UNIT = (
    rf"\\{_SYM}\s*{_BASE}"
    rf"|\\{_WORD}(?:\s*\{{\s*(?:[A-Za-z]|\\[ij])\s*\}}|\s+(?:\\[ij](?![A-Za-z]) ?|[A-Za-z]))"
    rf"|\\{_SPECIAL}(?![A-Za-z])(?:\{{\}}| )?"
)
# A unit wrapped in its own braces ({\'a}) loses them, as TeX would print no braces.
_TOKEN_RE = re.compile(rf"\{{\s*({_UNIT})\s*\}}|({_UNIT})")
_PARSE_RE = re.compile(
    rf"\\(?:(?P<sym>{_SYM})|(?P<word>{_WORD})(?![A-Za-z])|(?P<special>{_SPECIAL})(?![A-Za-z]))"
)
_LETTER_RE = re.compile(r"\\([ij])|([A-Za-z])")
# $$...$$ or $...$ not preceded by a backslash: kept verbatim.
_MATH_RE = re.compile(r"(?<!\\)\$\$.*?(?<!\\)\$\$|(?<!\\)\$.*?(?<!\\)\$", re.S)


def _decode_unit(unit: str) -> str:
    """Turn one matched unit (``\\'a``, ``\\c{c}``, ``\\o``...) into its Unicode character."""
    m = _PARSE_RE.match(unit)
    if m is None:  # pragma: no cover - _UNIT and _PARSE_RE agree by construction
        return unit
    if m.group("special"):
        return _SPECIALS[m.group("special")]
    mark = _SYMBOL_ACCENTS[m.group("sym")] if m.group("sym") else _WORD_ACCENTS[m.group("word")]
    base = _LETTER_RE.search(unit, m.end())
    if base is None:  # pragma: no cover
        return unit
    # An accented dotless i/j is just an accented i/j in Unicode (í, not ı + ́).
    letter = base.group(1) or base.group(2)
    return unicodedata.normalize("NFC", letter + mark)


def _replace(m: re.Match[str]) -> str:
    return _decode_unit(m.group(1) or m.group(2))


def _decode_text(s: str) -> str:
    return _TOKEN_RE.sub(_replace, s)


def decode_tex(s: str) -> str:
    """Decode TeX accents (``Andr\\'es``, ``{\\"o}``, ``\\c{c}``, ``\\o``...) to NFC Unicode.

    Braces that only wrapped a decoded letter are dropped. Math between ``$`` signs, unknown
    macros and anything not understood are returned unchanged. Never raises.
    """
    if "\\" not in s:
        return s
    if "$" not in s:
        return _decode_text(s)
    out: list[str] = []
    pos = 0
    for m in _MATH_RE.finditer(s):
        out.append(_decode_text(s[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_decode_text(s[pos:]))
    return "".join(out)
