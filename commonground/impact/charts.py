"""Charts and maps drawn on the server as SVG, for the site and the PDF alike.

The same SVG goes into the page and into WeasyPrint, so the printed report needs no network, no
browser and no JavaScript, and reads the same on paper as on screen. Every chart carries a title
and a description for screen readers (the PDF tags it as a figure with that text), writes each value
beside its bar so colour is never the only cue, and sits next to a table of the same figures.
Only presentation attributes are used (no ``style``), which the Content Security Policy allows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
TEXT = "#0b0c0c"
MUTED = "#505a5f"
BLUE = "#1d70b8"
DARK_BLUE = "#003078"
ORANGE = "#d4351c"
GREEN = "#00703c"
GREY = "#b1b4b6"
LIGHT_GREY = "#f3f2f1"
WIDTH = 680


def _text(value: Any) -> str:
    return escape(str(value), quote=True)


def _wrap(label: str, width: int = 30, lines: int = 2) -> list[str]:
    words, result, current = str(label).split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
        else:
            result.append(current)
            current = word
    result.append(current)
    if len(result) > lines:
        result = [*result[: lines - 1], " ".join(result[lines - 1 :])]
    if len(result[-1]) > width:
        result[-1] = result[-1][: width - 1].rstrip() + "…"
    return result


def _svg(chart_id: str, title: str, description: str, height: float, body: Iterable[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cg-impact-chart" id="{_text(chart_id)}" '
        f'width="{WIDTH}" height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{_text(chart_id)}-title {_text(chart_id)}-desc" '
        f'font-family="{FONT}" font-size="13" fill="{TEXT}">'
        f'<title id="{_text(chart_id)}-title">{_text(title)}</title>'
        f'<desc id="{_text(chart_id)}-desc">{_text(description)}</desc>' + "".join(body) + "</svg>"
    )


def _label(x: float, y: float, label: str, *, anchor: str = "end", width: int = 30) -> str:
    lines = _wrap(label, width)
    first = y - (len(lines) - 1) * 7
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first + index * 14:.1f}">{_text(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" dominant-baseline="middle">{spans}</text>'


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _number(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    maximum: float | None = None,
    reference: float | None = None,
    reference_label: str = "",
    colour: str = BLUE,
) -> str:
    """Horizontal bars with the value written at the end of each; a missing value is written only."""
    left, right, row = 250, 80, 34
    top = 14 if reference is None else 34
    height = top + row * len(bars) + 16
    values = [bar.value for bar in bars if bar.value is not None]
    scale_max = maximum or _nice_max(max([*values, reference or 0, 0]))
    span = WIDTH - left - right
    body = []
    if reference is not None:
        x = left + span * min(reference, scale_max) / scale_max
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + row * len(bars)}" '
            f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        body.append(f'<text x="{x:.1f}" y="{top - 12}" text-anchor="middle">')
        body.append(f"{_text(reference_label)}</text>")
    for index, bar in enumerate(bars):
        y = top + index * row
        body.append(_label(left - 10, y + row / 2, bar.label))
        if bar.value is not None and bar.value > 0:
            length = max(1.5, span * min(bar.value, scale_max) / scale_max)
            body.append(
                f'<rect x="{left}" y="{y + 7}" width="{length:.1f}" height="{row - 14}" '
                f'fill="{colour}"/>'
            )
            end = left + length + 6
        else:
            end = left + 6
        body.append(f'<text x="{end:.1f}" y="{y + row / 2:.1f}" dominant-baseline="middle">')
        body.append(f"{_text(bar.text)}</text>")
    body.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + row * len(bars)}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    return _svg(chart_id, title, description, height, body)


@dataclass(frozen=True)
class PairedBar:
    label: str
    first: float | None
    second: float | None
    first_text: str
    second_text: str


def paired_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[PairedBar],
    names: tuple[str, str],
    maximum: float | None = None,
) -> str:
    """Two bars per row (e.g. share listened to beside share of residents), with a legend."""
    left, right, row, bar = 250, 90, 46, 15
    top = 36
    height = top + row * len(rows) + 12
    values = [v for r in rows for v in (r.first, r.second) if v is not None]
    scale_max = maximum or _nice_max(max([*values, 0]))
    span = WIDTH - left - right
    colours = (BLUE, GREY)
    body = []
    for index, name in enumerate(names):
        x = left + index * 220
        body.append(f'<rect x="{x}" y="6" width="14" height="14" fill="{colours[index]}"/>')
        body.append(f'<text x="{x + 20}" y="17">{_text(name)}</text>')
    for index, item in enumerate(rows):
        y = top + index * row
        body.append(_label(left - 10, y + row / 2, item.label))
        for position, (value, text) in enumerate(
            ((item.first, item.first_text), (item.second, item.second_text))
        ):
            bar_y = y + 6 + position * (bar + 2)
            end = left + 6
            if value is not None and value > 0:
                length = max(1.5, span * min(value, scale_max) / scale_max)
                body.append(
                    f'<rect x="{left}" y="{bar_y}" width="{length:.1f}" height="{bar}" '
                    f'fill="{colours[position]}"/>'
                )
                end = left + length + 6
            body.append(
                f'<text x="{end:.1f}" y="{bar_y + bar / 2:.1f}" dominant-baseline="middle" '
                f'font-size="12">{_text(text)}</text>'
            )
    body.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + row * len(rows)}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    return _svg(chart_id, title, description, height, body)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[tuple[str, Mapping[int, float]]],
    marker_year: float | None = None,
    marker_label: str = "",
    y_label: str = "",
) -> str:
    """Yearly lines (organised LSOAs against comparison LSOAs), with the year the work began."""
    left, right, top, bottom = 64, 24, 30, 70
    height = 340
    years = sorted({year for _name, values in series for year in values})
    if not years:
        return _svg(chart_id, title, description, 60, ['<text x="10" y="30">–</text>'])
    values = [v for _name, points in series for v in points.values()]
    low = min(0.0, min(values))
    high = _nice_max(max(values)) if max(values) > 0 else 1.0
    plot_width = WIDTH - left - right
    plot_height = height - top - bottom
    first, last = years[0], years[-1]

    def x_of(year: float) -> float:
        return left + (plot_width * (year - first) / (last - first) if last > first else 0)

    def y_of(value: float) -> float:
        return top + plot_height * (1 - (value - low) / (high - low))

    body = []
    for step in range(5):
        value = low + (high - low) * step / 4
        y = y_of(value)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
            f'stroke="{LIGHT_GREY}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{left - 8}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="12">{_text(_number(value))}</text>'
        )
    label_every = max(1, math.ceil(len(years) / 10))
    for index, year in enumerate(years):
        if index % label_every == 0 or year == last:
            body.append(
                f'<text x="{x_of(year):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'font-size="12">{year}</text>'
            )
    body.append(
        f'<line x1="{left}" y1="{top + plot_height}" x2="{WIDTH - right}" '
        f'y2="{top + plot_height}" stroke="{MUTED}" stroke-width="1"/>'
    )
    if y_label:
        body.append(f'<text x="{left - 56}" y="{top - 14}" font-size="12">{_text(y_label)}</text>')
    if marker_year is not None and first <= marker_year <= last + 1:
        x = x_of(min(marker_year, last))
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_height}" '
            f'stroke="{TEXT}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        body.append(
            f'<text x="{x + 4:.1f}" y="{top + 12}" font-size="12">{_text(marker_label)}</text>'
        )
    styles = ((DARK_BLUE, "", "circle"), (ORANGE, "6 4", "square"))
    for index, (name, points) in enumerate(series):
        colour, dash, marker = styles[index % len(styles)]
        ordered = sorted(points.items())
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x_of(year):.1f},{y_of(value):.1f}"
            for i, (year, value) in enumerate(ordered)
        )
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attribute}/>'
        )
        for year, value in ordered:
            x, y = x_of(year), y_of(value)
            if marker == "circle":
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
            else:
                body.append(
                    f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                    f'fill="{colour}"/>'
                )
        legend_x, legend_y = left + index * 260, height - 14
        body.append(
            f'<line x1="{legend_x}" y1="{legend_y - 4}" x2="{legend_x + 26}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="2.5"{dash_attribute}/>'
        )
        body.append(f'<text x="{legend_x + 32}" y="{legend_y}">{_text(name)}</text>')
    return _svg(chart_id, title, description, height, body)


# --------------------------------------------------------------------------- maps


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    geometry: Mapping[str, Any]
    shade: int | None
    """Index into the legend's classes; ``None`` draws it as context, outside the area shown."""


def _rings(geometry: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [[(float(x), float(y)) for x, y, *_rest in ring] for poly in polygons for ring in poly]


def area_map(
    *,
    chart_id: str,
    title: str,
    description: str,
    areas: Sequence[MapArea],
    legend: Sequence[tuple[str, str]],
    context_label: str = "",
) -> str:
    """LSOAs drawn from their boundaries, shaded by class, with a legend; no tiles, no network.

    Areas without a shade are drawn first, in grey, so the shaded ones sit in their surroundings.
    """
    if context_label and any(area.shade is None for area in areas):
        legend = [*legend, (context_label, LIGHT_GREY)]
    rings = {area.code: _rings(area.geometry) for area in areas}
    points = [point for area_rings in rings.values() for ring in area_rings for point in ring]
    legend_height = 22 * len(legend) + 10
    if not points:
        return _svg(chart_id, title, description, 40, ['<text x="10" y="24">–</text>'])
    min_x = min(p[0] for p in points)
    max_x = max(p[0] for p in points)
    min_y = min(p[1] for p in points)
    max_y = max(p[1] for p in points)
    stretch = math.cos(math.radians((min_y + max_y) / 2))
    map_width = WIDTH - 20
    map_height = 380
    scale = min(
        map_width / max((max_x - min_x) * stretch, 1e-9), map_height / max(max_y - min_y, 1e-9)
    )
    drawn_height = (max_y - min_y) * scale
    offset_x = 10 + (map_width - (max_x - min_x) * stretch * scale) / 2

    def project(point: tuple[float, float]) -> str:
        x = offset_x + (point[0] - min_x) * stretch * scale
        y = 10 + (max_y - point[1]) * scale
        return f"{x:.1f},{y:.1f}"

    body = []
    ordered = sorted(areas, key=lambda area: area.shade is not None)
    for area in ordered:
        context = area.shade is None
        fill = LIGHT_GREY if context else legend[area.shade][1]
        path = " ".join(
            "M" + " L".join(project(point) for point in ring) + "Z" for ring in rings[area.code]
        )
        body.append(
            f'<path d="{path}" fill="{fill}" stroke="{GREY if context else MUTED}" '
            f'stroke-width="{0.5 if context else 1}" fill-rule="evenodd">'
            f"<title>{_text(area.name)}</title></path>"
        )
    legend_top = 20 + drawn_height
    for index, (label, colour) in enumerate(legend):
        y = legend_top + index * 22
        body.append(
            f'<rect x="10" y="{y:.1f}" width="16" height="16" fill="{colour}" '
            f'stroke="{MUTED}" stroke-width="0.8"/>'
        )
        body.append(f'<text x="34" y="{y + 12:.1f}">{_text(label)}</text>')
    return _svg(chart_id, title, description, legend_top + legend_height, body)
