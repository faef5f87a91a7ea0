"""Turn a saved web page into canonical text plus a map back to the decoded raw HTML.

The standard library's html.parser is used with ``convert_charrefs=False``:
it reports every text node, entity and tag with its source position, so each
canonical character keeps the code point offset it came from. Text is laid
out as the .txt scrapes are: HTML whitespace folded to one space, U+00A0
kept, one paragraph per block element separated by a blank line, ``<br>`` a
line break. Which elements are invisible or site furniture is configured in
configs/html.toml.
"""
from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..config import Config, ConfigError, compile_regex
from .sourcemap import Extracted, RawRuns
from .txt import IngestError, looks_like_mojibake, utf8_or_fallback

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_WORD_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")  # "cookieConsent" -> cookie, Consent; "related_articles" -> related, articles
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


@dataclass(frozen=True)
class HtmlRules:
    drop_tags: frozenset[str]
    drop_names: tuple[re.Pattern[str], ...]
    drop_words: frozenset[str]
    containers: frozenset[str]
    container_ids: frozenset[str]
    container_roles: frozenset[str]
    marker_tags: frozenset[str]
    marker_text: re.Pattern[str]
    blocks: frozenset[str]
    line_breaks: frozenset[str]
    void: frozenset[str]
    meta_keys: dict[str, tuple[str, ...]]
    charset_aliases: dict[str, str]
    sniff_bytes: int

    @classmethod
    def from_config(cls, config: Config) -> HtmlRules:
        """Read configs/html.toml (named by [ingest] html_rules), naming the file and key on error."""
        data, where = config.named_toml("ingest", "html_rules")
        try:
            drop, text, meta, charset = data["drop"], data["text"], data["meta"], data["charset"]
            return cls(
                drop_tags=_names(drop["tags"], f"{where} [drop] tags"),
                drop_names=tuple(compile_regex(p, f"{where} [drop] class_or_id #{i}") for i, p in enumerate(drop["class_or_id"], 1)),
                drop_words=_names(drop["class_or_id_words"], f"{where} [drop] class_or_id_words"),
                containers=_names(drop["containers"], f"{where} [drop] containers"),
                container_ids=_names(drop["container_ids"], f"{where} [drop] container_ids"),
                container_roles=_names(drop["container_roles"], f"{where} [drop] container_roles"),
                marker_tags=_names(drop["marker_tags"], f"{where} [drop] marker_tags"),
                marker_text=compile_regex(drop["marker_text"], f"{where} [drop] marker_text"),
                blocks=_names(text["blocks"], f"{where} [text] blocks"),
                line_breaks=_names(text["line_breaks"], f"{where} [text] line_breaks"),
                void=_names(text["void"], f"{where} [text] void"),
                meta_keys={key: tuple(_names(meta[key], f"{where} [meta] {key}", ordered=True)) for key in ("title", "publisher", "published")},
                charset_aliases={str(k).lower(): str(v) for k, v in charset["aliases"].items()},
                sniff_bytes=int(charset["sniff_bytes"]),
            )
        except KeyError as exc:
            raise ConfigError(f"{where}: missing key {exc}") from None


def _names(values: Any, where: str, ordered: bool = False) -> Any:
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"{where}: expected a list of non-empty strings")
    lowered = [v.lower() for v in values]
    return lowered if ordered else frozenset(lowered)


def decode_html(raw: bytes, rules: HtmlRules, fallback: str) -> tuple[str, str, bool, list[str]]:
    """Decode by BOM, else the declared <meta> charset, else UTF-8, else ``fallback`` (recorded)."""
    if not raw.strip():
        raise IngestError("empty file (no HTML)")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding).removeprefix("\ufeff"), encoding, False, []
            except UnicodeDecodeError as exc:
                raise IngestError(f"declared {encoding} by its BOM but byte 0x{raw[exc.start]:02x} at offset {exc.start} is invalid") from None
    if b"\x00" in raw:
        raise IngestError("binary file (contains NUL bytes), not HTML")
    warnings: list[str] = []
    declared = _META_CHARSET.search(raw[: rules.sniff_bytes])
    if declared:
        label = declared.group(1).decode("ascii").lower()
        encoding = rules.charset_aliases.get(label, label)
        try:
            return raw.decode(encoding), encoding, False, warnings
        except LookupError:
            warnings.append(f"unknown declared charset {label!r}; ignored")
        except UnicodeDecodeError as exc:
            warnings.append(f"declared charset {label!r} but byte 0x{raw[exc.start]:02x} at offset {exc.start} does not fit it; ignored")
    text, encoding, used_fallback = utf8_or_fallback(raw, fallback)
    if used_fallback:
        warnings = warnings + [f"not valid UTF-8 and no usable charset declared; decoded as {fallback.upper()}"]
    return text, encoding, used_fallback, warnings


class _Reader(HTMLParser):
    """Walk the markup once, appending visible text with its raw offsets to ``out``."""

    def __init__(self, source: str, rules: HtmlRules, file: int) -> None:
        super().__init__(convert_charrefs=False)
        self.source, self.rules, self.file = source, rules, file
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.out = RawRuns()
        self.stack: list[tuple[str, bool]] = []  # (tag, dropped)
        self.dropped = 0
        self.space: tuple[int, int] | None = None  # pending folded whitespace (raw span)
        self.breaks = 0  # pending line breaks (at most 2)
        self.title: list[str] | None = None
        self.title_text: str | None = None
        self.meta: dict[str, str] = {}

    def position(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    # -- structure -------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and "content" in values:
                self.meta.setdefault(key, html.unescape(values["content"]).strip())
        elif tag == "title" and not self_closing:
            self.title = []
        if not self.dropped:
            self._boundary(tag)
        if tag in self.rules.void or self_closing:
            return
        drop = tag in self.rules.drop_tags or (tag not in self.rules.containers and self._furniture(values, by_word=not self._content(values))) or (tag in self.rules.marker_tags and self._marker(tag))
        self.stack.append((tag, drop))
        self.dropped += drop

    def _content(self, values: dict[str, str]) -> bool:
        """Return whether an element's id or role says it is the page's content (then no furniture word drops it)."""
        return values.get("id", "").lower() in self.rules.container_ids or values.get("role", "").lower() in self.rules.container_roles

    def _furniture(self, values: dict[str, str], by_word: bool = True) -> bool:
        names = values.get("class", "").split() + ([values["id"]] if values.get("id") else [])
        return any(p.fullmatch(name) for name in names for p in self.rules.drop_names) \
            or (by_word and any((parts := _WORD_PARTS.findall(name)) and parts[0].lower() in self.rules.drop_words for name in names))

    def _marker(self, tag: str) -> bool:
        """Return whether the element starting here holds only a footnote marker (its text up to its end tag, tags aside)."""
        inner = self.position() + len(self.get_starttag_text() or "")
        end = re.compile(rf"</{re.escape(tag)}\s*>", re.I).search(self.source, inner)
        return end is not None and bool(self.rules.marker_text.fullmatch(html.unescape(re.sub(r"<[^>]*>", "", self.source[inner:end.start()]))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title is not None:
            self.title_text = _HTML_SPACE.sub(" ", "".join(self.title)).strip()
            self.title = None
        if not any(open_tag == tag for open_tag, _ in self.stack):
            return  # a stray end tag closes nothing
        while self.stack:
            open_tag, drop = self.stack.pop()
            self.dropped -= drop
            if open_tag == tag:
                break
        if not self.dropped:
            self._boundary(tag)

    def _boundary(self, tag: str) -> None:
        if tag in self.rules.blocks:
            self.space, self.breaks = None, 2
        elif tag in self.rules.line_breaks:
            self.space, self.breaks = None, min(2, self.breaks + 1)

    # -- text --------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        start = self.position()
        if self.title is not None:
            self.title.append(data)
        if self.dropped:
            return
        pos = 0
        for match in _HTML_SPACE.finditer(data):
            self._emit(data[pos:match.start()], start + pos, start + match.start())
            if self.out.length and not self.breaks:
                self.space = self.space or (start + match.start(), start + match.end())
            pos = match.end()
        self._emit(data[pos:], start + pos, start + len(data))

    def handle_entityref(self, name: str) -> None:
        self._reference("&" + name)

    def handle_charref(self, name: str) -> None:
        self._reference("&#" + name)

    def _reference(self, head: str) -> None:
        start = self.position()
        end = start + len(head)
        if self.source.startswith(";", end):
            end += 1
        raw = self.source[start:end]
        text = html.unescape(raw)
        if self.title is not None:
            self.title.append(text)
        if self.dropped:
            return
        # "&notit;" reads "\u00acit;": map "&not" -> "\u00ac" as a unit and "it;" char by char.
        same = 0
        while same < len(text) - 1 and same < len(raw) - 1 and text[-1 - same] == raw[-1 - same]:
            same += 1
        self._emit(text[:len(text) - same], start, end - same)
        if same:
            self.out.add(text[len(text) - same:], self.file, end - same, end)

    def _emit(self, text: str, raw_start: int, raw_end: int) -> None:
        if not text:
            return
        if self.breaks:
            if self.out.length:
                self.out.add("\n" * self.breaks)
            self.breaks = 0
        elif self.space:
            self.out.add(" ", self.file, *self.space)
        self.space = None
        self.out.add(text, self.file, raw_start, raw_end)


def read_html(raw: bytes, rules: HtmlRules, fallback: str, file: int = 0) -> Extracted:
    """Extract one HTML file; bad-input findings go to ``flagged``, a page without text is an error."""
    source, encoding, used_fallback, warnings = decode_html(raw, rules, fallback)
    reader = _Reader(source, rules, file)
    flagged: list[str] = []
    reader.feed(source)
    rest = reader.rawdata
    if rest.lstrip().startswith("<"):
        flagged.append(f"truncated HTML: the file ends inside a tag at offset {len(source) - len(rest)} ({rest[:30]!r}); that tail is ignored")
        reader.rawdata = ""
    elif re.search(r"<html[\s>]", source, re.I) and not re.search(r"</html\s*>", source, re.I):
        flagged.append("truncated HTML: <html> is never closed (the file may be cut short)")
    reader.close()
    text = reader.out.text
    if not text.strip():
        raise IngestError("no article text: the page has no visible text outside scripts, styles and navigation")
    if looks_like_mojibake(text):
        warnings.append("text looks like mojibake (UTF-8 read as CP1252/Latin-1); kept as is")
    meta = {key: next((reader.meta[k] for k in keys if reader.meta.get(k)), None) for key, keys in rules.meta_keys.items()}
    meta["title"] = meta["title"] or reader.title_text or None
    return Extracted(text=text, source_map=reader.out.runs, encoding=encoding, encoding_fallback=used_fallback,
                     warnings=warnings, flagged=flagged, meta=meta, pages=[{"page": 1, "file": file, "start": 0, "end": len(text)}])
