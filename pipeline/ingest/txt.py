"""Decode a plain-text file into its canonical text, changing nothing but a leading BOM."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field


_MOJIBAKE = re.compile("[ÃÂâ](?=([\u0080-\u2122]))")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


class IngestError(Exception):
    """A raw file cannot become a document; the message says why."""


@dataclass
class Decoded:
    text: str
    encoding: str
    encoding_fallback: bool = False
    warnings: list[str] = field(default_factory=list)


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(raw: bytes, fallback: str = "cp1252") -> Decoded:
    """Decode UTF-8 (BOM optional), UTF-16 with a BOM, else ``fallback``; reject empty and binary files."""
    if not raw.strip():
        raise IngestError("empty file (no text)")
    if raw.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", raw[len(codecs.BOM_UTF8):]
        return _decoded(_strict(body, "utf-8", "UTF-8 with BOM"), encoding)
    if raw.startswith(_UTF16_BOMS):
        return _decoded(_strict(raw, "utf-16", "UTF-16"), "utf-16")
    if b"\x00" in raw:
        raise IngestError("binary file (contains NUL bytes), not text")
    text, encoding, used_fallback = utf8_or_fallback(raw, fallback)
    decoded = _decoded(text, encoding)
    if used_fallback:
        decoded.encoding_fallback = True
        decoded.warnings.append(f"not valid UTF-8; decoded as {fallback.upper()}")
    return decoded


def utf8_or_fallback(raw: bytes, fallback: str) -> tuple[str, str, bool]:
    """Decode UTF-8, else ``fallback``: (text, encoding, whether the fallback was used); raise IngestError if neither fits."""
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode(fallback), fallback, True
    except UnicodeDecodeError as exc:
        raise IngestError(f"neither UTF-8 nor {fallback.upper()}: undecodable byte 0x{raw[exc.start]:02x} at offset {exc.start}") from None


def _strict(raw: bytes, encoding: str, label: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(f"declared {label} but byte 0x{raw[exc.start]:02x} at offset {exc.start} is invalid") from None


def _decoded(text: str, encoding: str) -> Decoded:
    text = text.removeprefix("\ufeff")
    decoded = Decoded(text=text, encoding=encoding)
    control = len(_CONTROL.findall(text))
    if control > max(4, len(text) // 100):
        raise IngestError(f"binary file ({control} control characters), not text")
    if not text.strip():
        raise IngestError("empty file (only whitespace)")
    if looks_like_mojibake(text):
        decoded.warnings.append("text looks like mojibake (UTF-8 read as CP1252/Latin-1); kept as is")
    return decoded


def looks_like_mojibake(text: str) -> bool:
    """Detect UTF-8 bytes that were decoded as CP1252 somewhere upstream ("â€™", "Ã©")."""
    return sum(1 for m in _MOJIBAKE.finditer(text) if not m.group(1).isalpha()) >= 2
