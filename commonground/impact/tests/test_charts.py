from xml.etree import ElementTree

from commonground.impact import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_bar_chart_is_labelled_for_screen_readers_and_escapes_text() -> None:
    svg = charts.bar_chart(
        chart_id="c1",
        title="Chart: <targets> & more",
        description="Bars",
        bars=[
            charts.Bar(label="Residents listened to", value=50.0, text="50% (400 of 800)"),
            charts.Bar(label='Groups "formed"', value=None, text="fewer than 5"),
        ],
        reference=100.0,
        reference_label="Target",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Chart: <targets> & more"
    texts = "".join(root.itertext())
    assert "50% (400 of 800)" in texts and "fewer than 5" in texts
    assert 'Groups "formed"' in texts
    bars = [rect for rect in root.iter(f"{SVG}rect")]
    assert len(bars) == 1, "a missing value is written, never drawn as a bar"
    assert "style=" not in svg, "the Content Security Policy forbids style attributes"


def test_bar_lengths_are_proportional() -> None:
    svg = charts.bar_chart(
        chart_id="c2",
        title="t",
        description="d",
        bars=[charts.Bar("a", 25.0, "25"), charts.Bar("b", 50.0, "50")],
        maximum=100.0,
    )
    widths = [float(rect.get("width")) for rect in parse(svg).iter(f"{SVG}rect")]
    assert abs(widths[1] - 2 * widths[0]) < 0.2


def test_line_chart_draws_each_series_and_the_start_marker() -> None:
    svg = charts.line_chart(
        chart_id="c3",
        title="t",
        description="d",
        series=[
            ("Organised", {2007: 1.0, 2008: 2.0, 2009: 4.0}),
            ("Similar", {2007: 1.0, 2008: 1.5, 2009: 2.0}),
        ],
        marker_year=2009,
        marker_label="work began",
    )
    root = parse(svg)
    assert len(list(root.iter(f"{SVG}path"))) == 2
    assert "work began" in "".join(root.itertext())
    assert "2007" in "".join(root.itertext())


def test_map_projects_polygons_and_shades_by_class_with_context_in_grey() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[-2.4, 51.3], [-2.3, 51.3], [-2.3, 51.4], [-2.4, 51.4], [-2.4, 51.3]]],
    }
    beside = {
        "type": "MultiPolygon",
        "coordinates": [[[[-2.3, 51.3], [-2.2, 51.3], [-2.2, 51.4], [-2.3, 51.3]]]],
    }
    svg = charts.area_map(
        chart_id="m",
        title="Map",
        description="d",
        areas=[
            charts.MapArea("A", "Area A", square, 1),
            charts.MapArea("B", "Area B", beside, None),
        ],
        legend=[("none", "#ffffff"), ("few", "#deebf7")],
        context_label="Outside",
    )
    paths = list(parse(svg).iter(f"{SVG}path"))
    assert [path.get("fill") for path in paths] == [charts.LIGHT_GREY, "#deebf7"]
    assert "Outside" in svg
    for path in paths:
        coordinates = [
            float(n)
            for n in path.get("d")
            .replace("M", " ")
            .replace("L", " ")
            .replace("Z", " ")
            .replace(",", " ")
            .split()
        ]
        assert all(0 <= value <= charts.WIDTH for value in coordinates)
