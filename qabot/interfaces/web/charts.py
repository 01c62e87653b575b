"""Charts for the insights page as inline SVG drawn on the server: no library, no script,
nothing for the Content-Security-Policy to allow. Every label passes through ``html.escape``."""

from __future__ import annotations

from html import escape

ANSWERED, REFUSED, BAR = "#2f6f4f", "#a3111d", "#3b5b8c"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def per_day(days: list[dict], label: str) -> str:
    """Stacked columns: answered below, refused above, one column per day."""
    width, height, left, bottom = 720, 220, 36, 28
    top = max((d["answered"] + d["refused"] for d in days), default=0) or 1
    step = (width - left - 8) / max(1, len(days))
    scale = (height - bottom - 10) / top
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" class="chart">']
    for frac in (0, 0.5, 1):
        y = height - bottom - frac * top * scale
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{round(frac * top)}</text>')
    every = max(1, len(days) // 10)
    for i, d in enumerate(days):
        x = left + i * step + step * 0.15
        w = step * 0.7
        h_ok, h_no = d["answered"] * scale, d["refused"] * scale
        base = height - bottom
        tip = f'{d["day"]}: {d["answered"]} answered, {d["refused"]} refused'
        parts.append(f'<g><title>{escape(tip)}</title>'
                     f'<rect x="{x:.1f}" y="{base - h_ok:.1f}" width="{w:.1f}" height="{h_ok:.1f}" fill="{ANSWERED}"/>'
                     f'<rect x="{x:.1f}" y="{base - h_ok - h_no:.1f}" width="{w:.1f}" height="{h_no:.1f}" fill="{REFUSED}"/></g>')
        if i % every == 0:
            parts.append(f'<text x="{x + w / 2:.1f}" y="{height - 10}" text-anchor="middle" font-size="11">'
                         f'{escape(d["day"][5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def share(answered: int, refused: int, label: str) -> str:
    """One bar split answered / refused, with the percentages."""
    total = answered + refused
    width = 720
    ok = width * answered / total if total else 0
    pct = round(100 * answered / total) if total else 0
    return (f'<svg viewBox="0 0 {width} 44" role="img" aria-label="{escape(label)}" class="chart">'
            f'<rect x="0" y="0" width="{width}" height="30" rx="6" fill="{REFUSED if total else "#ddd"}"/>'
            f'<rect x="0" y="0" width="{ok:.1f}" height="30" rx="6" fill="{ANSWERED}"/>'
            f'<text x="10" y="20" fill="#fff" font-size="14" font-weight="700">{pct}% answered</text>'
            f'<text x="{width - 10}" y="20" fill="#fff" font-size="14" font-weight="700" text-anchor="end">'
            f'{100 - pct if total else 0}% not in the archive</text></svg>')


def bars(topics: list[dict], label: str, colour: str = BAR) -> str:
    """Horizontal bars, one per topic, largest first, labelled with the topic and its count."""
    if not topics:
        return ""
    row, width, label_width = 30, 520, 262
    top = max(t["count"] for t in topics)
    parts = [f'<svg viewBox="0 0 {width} {row * len(topics) + 4}" role="img" aria-label="{escape(label)}" class="chart">']
    for i, t in enumerate(topics):
        y = i * row + 2
        w = max(4.0, (width - label_width - 40) * t["count"] / top)
        parts.append(f'<text x="0" y="{y + 18}" font-size="13">{escape(_short(t["label"], 34))}</text>'
                     f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="20" rx="3" fill="{colour}"/>'
                     f'<text x="{label_width + 6 + w:.1f}" y="{y + 19}" font-size="13" font-weight="700">{t["count"]}</text>')
    parts.append("</svg>")
    return "".join(parts)
