"""The article panel: the selected event's article as escaped HTML with its evidence highlighted.

Article titles and texts are untrusted input. Every character of them goes through :func:`html.escape` before it
becomes HTML; only the ``<mark>`` and paragraph tags this module writes itself are markup. Highlights come from
character spans (end exclusive) and never from searching the text, so the marked words are exactly the ones the
pipeline used.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import pandas as pd

from geo.model import Article, DateMention, Event, Toponym

#: Highlight kinds, in priority order when spans overlap, with their colours and legend labels.
HIGHLIGHTS: dict[str, tuple[str, str]] = {
    "trigger": ("#f6c6c6", "event trigger"),
    "place": ("#b9dcff", "event place"),
    "date": ("#c8ecc0", "event date"),
    "actor": ("#f5dcb0", "actor"),
    "mention": ("#e4e4e4", "other place mention"),
    "other_date": ("#eef6ea", "other date"),
}

PANEL_CSS = """
<style>
.ev-article { font-size: 0.95rem; line-height: 1.55; max-height: 520px; overflow-y: auto; padding-right: 6px; }
.ev-article h3 { font-size: 1.1rem; margin: 0 0 .3rem 0; }
.ev-article .ev-meta { color: #666; font-size: .85rem; margin-bottom: .5rem; }
.ev-article mark { padding: 0 2px; border-radius: 3px; }
.ev-article mark.ev-sel { outline: 2px solid #333; }
.ev-keys span { display: inline-block; margin: 0 8px 4px 0; padding: 0 4px; border-radius: 3px; font-size: .8rem; }
</style>
"""


@dataclass(frozen=True)
class Highlight:
    """A span to mark: ``[start, end)`` of the text, its kind (a :data:`HIGHLIGHTS` key) and a hover title."""

    start: int
    end: int
    kind: str
    title: str = ""


def _resolve_overlaps(spans: Iterable[Highlight], length: int) -> list[Highlight]:
    """Keep non-overlapping spans inside the text; on overlap the higher-priority kind wins, then the longer."""
    priority = {k: i for i, k in enumerate(HIGHLIGHTS)}
    valid = [s for s in spans if 0 <= s.start < s.end <= length]
    valid.sort(key=lambda s: (priority.get(s.kind, 99), -(s.end - s.start), s.start))
    taken: list[Highlight] = []
    for s in valid:
        if all(s.end <= t.start or s.start >= t.end for t in taken):
            taken.append(s)
    return sorted(taken, key=lambda s: s.start)


def _paragraphs(escaped: str) -> str:
    parts = [p.strip() for p in escaped.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in parts if p)


def highlight_html(text: str, spans: Iterable[Highlight]) -> str:
    """The text as escaped HTML with each span wrapped in ``<mark>`` coloured by its kind.

    Examples
    --------
    >>> highlight_html("Bombs hit <Esmeraldas>", [Highlight(11, 21, "place", "Esmeraldas")])
    '<p>Bombs hit &lt;<mark class="ev-place" style="background:#b9dcff" title="event place: Esmeraldas">Esmeraldas</mark>&gt;</p>'
    """
    out: list[str] = []
    pos = 0
    for s in _resolve_overlaps(spans, len(text)):
        colour, label = HIGHLIGHTS.get(s.kind, ("#eeeeee", s.kind))
        title = f"{label}: {s.title}" if s.title else label
        out.append(html.escape(text[pos : s.start]))
        out.append(
            f'<mark class="ev-{html.escape(s.kind)}" style="background:{colour}" title="{html.escape(title)}">'
            f"{html.escape(text[s.start : s.end])}</mark>"
        )
        pos = s.end
    out.append(html.escape(text[pos:]))
    return _paragraphs("".join(out))


def event_highlights(
    event: Event | None, toponyms: Sequence[Toponym] = (), dates: Sequence[DateMention] = ()
) -> list[Highlight]:
    """Highlights for an article: the selected event's trigger, place, date and actors; other mentions lighter."""
    spans: list[Highlight] = []
    if event is not None:
        spans.append(Highlight(event.trigger.start, event.trigger.end, "trigger", event.type.replace("_", " ")))
        if event.place_span is not None:
            name = event.place.name if event.place else event.place_span.text
            spans.append(Highlight(event.place_span.start, event.place_span.end, "place", name))
        if event.date_span is not None:
            spans.append(Highlight(event.date_span.start, event.date_span.end, "date", str(event.date or "")))
        for a in event.actors:
            spans.append(Highlight(a.start, a.end, "actor", a.label or a.text))
    for t in toponyms:
        where = f"{t.place.name} ({t.place.kind}, {t.place.country_code or '-'})" if t.place else "unresolved"
        spans.append(Highlight(t.start, t.end, "mention", where))
    for d in dates:
        spans.append(Highlight(d.start, d.end, "other_date", f"{d.date or 'unresolved'} ({d.precision})"))
    return spans


def highlight_key_html() -> str:
    """The colour key of the highlight kinds."""
    return '<div class="ev-keys">' + "".join(
        f'<span style="background:{c}">{html.escape(label)}</span>' for c, label in HIGHLIGHTS.values()
    ) + "</div>"


def article_html(
    article: Article,
    event: Event | None = None,
    toponyms: Sequence[Toponym] = (),
    dates: Sequence[DateMention] = (),
) -> str:
    """The whole panel body: escaped title, meta line (date, source, link), key, and the highlighted text."""
    e = html.escape
    meta = [str(article.published) if article.published else "undated"]
    if article.source:
        meta.append(e(article.source))
    if article.url and article.url.lower().startswith(("http://", "https://")):
        meta.append(f'<a href="{e(article.url, quote=True)}" target="_blank" rel="noopener noreferrer">source</a>')
    body = highlight_html(article.text, event_highlights(event, toponyms, dates))
    return (
        f'{PANEL_CSS}<div class="ev-article"><h3>{e(article.title or "(untitled)")}</h3>'
        f'<div class="ev-meta">{" · ".join(meta)}</div>{highlight_key_html()}{body}</div>'
    )


def why_here_frame(event: Event) -> pd.DataFrame:
    """The chosen place and its runner-ups with scores and reasons, best first."""
    rows: list[dict[str, Any]] = []
    if event.place is not None:
        rows.append(_place_row(event.place, None, event.reasons, chosen=True))
    for c in event.alternatives:
        rows.append(_place_row(c.place, c.score, c.reasons, chosen=False))
    return pd.DataFrame(rows, columns=["chosen", "place", "kind", "country", "admin1", "geonameid", "lat", "lon",
                                       "score", "reasons"])


def _place_row(place: Any, score: float | None, reasons: Sequence[str], *, chosen: bool) -> dict[str, Any]:
    return {
        "chosen": chosen,
        "place": place.name,
        "kind": place.kind,
        "country": place.country_code,
        "admin1": place.admin1_code,
        "geonameid": place.geonameid,
        "lat": round(place.lat, 4),
        "lon": round(place.lon, 4),
        "score": None if score is None else round(float(score), 3),
        "reasons": "; ".join(reasons),
    }


#: Columns compared across the sources of one clustered event.
CLUSTER_FIELDS = ("type", "date", "place_name", "precision", "country_code")


def cluster_disagreements(members: pd.DataFrame, fields: Sequence[str] = CLUSTER_FIELDS) -> dict[str, list[str]]:
    """For a clustered event's member rows, the fields whose values differ between sources, with the values."""
    out: dict[str, list[str]] = {}
    if members is None or len(members) < 2:
        return out
    for f in fields:
        if f not in members.columns:
            continue
        values = sorted({str(v) for v in members[f].tolist() if v is not None and not _isna(v)})
        if len(values) > 1:
            out[f] = values
    return out


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def other_events_frame(events: Sequence[Event], selected_id: str | None) -> pd.DataFrame:
    """The article's other events as a small table (type, date, place, precision, confidence)."""
    rows = [
        {
            "id": ev.id,
            "type": ev.type,
            "date": ev.date,
            "place": ev.place.name if ev.place else None,
            "precision": ev.precision,
            "confidence": round(ev.confidence, 2),
            "happened": ev.happened,
        }
        for ev in events
        if ev.id != selected_id
    ]
    return pd.DataFrame(rows, columns=["id", "type", "date", "place", "precision", "confidence", "happened"])


def safe_text(value: Any) -> str:
    """Escape any value for inclusion in HTML (for one-off labels built by the app)."""
    return html.escape("" if value is None else str(value))

