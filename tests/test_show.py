"""Projector mode: larger fonts, thicker lines and colour-blind-safe colours on every chart."""

import json
import re

import numpy as np
import plotly.graph_objects as go

from data.prepare import from_array
from forecasting.config import auto_config
from forecasting.share import DataSource, encode
from forecasting.train import EpochLog
from tests.test_pages import PAGES, kept
from tests.test_share import open_link
from ui import charts, state
from ui.show import OKABE_ITO, projector_style

SAFE_HUES = {tuple(int(code[i : i + 2], 16) for i in (1, 3, 5)) for code in OKABE_ITO}


def rgb(colour: str) -> tuple[int, ...]:
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(int(float(part)) for part in re.findall(r"[\d.]+", colour)[:3])


def colour_blind_safe(colour: str) -> bool:
    """An Okabe-Ito colour (at any opacity) or a neutral grey."""
    red, green, blue = rgb(colour)
    return (red, green, blue) in SAFE_HUES or red == green == blue


def colours(spec: dict) -> list[str]:
    """Every colour the traces and shapes of a figure's JSON name (not its theme's)."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key.endswith("color") and isinstance(inner, str):
                    found.append(inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(spec["data"])
    walk(spec["layout"].get("shapes", []))
    return found


def figures() -> list[go.Figure]:
    series = from_array(10 + np.sin(np.arange(200) / 5), target="signal", season=31)
    history = [EpochLog(epoch, 3, 1.0 / epoch, 1.5 / epoch, 0.1 * epoch) for epoch in (1, 2, 3)]
    plain = go.Figure([go.Scatter(y=[1, 3, 2]), go.Bar(y=[2, 1, 3])])
    plain.add_hline(y=2)
    return [
        charts.series_figure(series, "A title", truth=series.values),
        charts.loss_figure(history),
        plain,
    ]


def test_projector_style_enlarges_every_font_and_thickens_every_line():
    for figure in figures():
        before = figure.to_plotly_json()
        styled = projector_style(figure)
        assert figure.to_plotly_json() == before, "the figure given is left as it was"
        layout = styled.layout
        assert layout.title.font.size >= 20
        assert layout.font.size >= 16 and layout.legend.font.size >= 16
        assert layout.xaxis.tickfont.size >= 16 and layout.yaxis.tickfont.size >= 16
        for old, new in zip(figure.data, styled.data, strict=True):
            if "line" in old and old.line.width != 0:
                assert new.line.width >= 3.5 and new.line.width > (old.line.width or 2)
        for shape in layout.shapes:
            assert shape.line.width >= 3.5
        if figure.layout.height:
            assert layout.height > figure.layout.height


def test_projector_style_keeps_the_colours_and_they_are_colour_blind_safe():
    for figure in figures():
        styled = projector_style(figure)
        assert colours(styled.to_plotly_json()) == colours(figure.to_plotly_json())
        assert all(colour_blind_safe(colour) for colour in colours(styled.to_plotly_json()))
        assert styled.layout.colorway == OKABE_ITO, "traces naming no colour take Okabe-Ito's"
    assert all(colour_blind_safe(colour) for colour in OKABE_ITO)
    assert not colour_blind_safe("#636EFA"), "Plotly's own first colour is not in the set"


def test_projector_mode_styles_the_forecast_and_every_page_still_runs():
    config = auto_config(144, 12, hidden_size=8, members=1, epochs=2)
    app = open_link(encode(DataSource.sample("airline"), config, "en", "forecast"))
    assert kept(app), "the link's run is trained"
    app.toggle(key=state.PROJECTOR).set_value(True).run()
    assert not app.exception
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["font"]["size"] >= 20
    assert spec["layout"]["xaxis"]["tickfont"]["size"] >= 16
    assert all(colour_blind_safe(colour) for colour in colours(spec))
    for page in PAGES:
        app.switch_page(f"app_pages/{page.name}").run()
        assert not app.exception, page.name
        assert app.toggle(key=state.PROJECTOR).value, "projector mode stays on across pages"
