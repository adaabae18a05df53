"""The map's scripts, in real Chromium, work from the Python definitions of the values they
share with the server: symbol outlines, mode names, source fields and CSV columns."""

from __future__ import annotations

import pytest

from almaty_map.geodata.formats import CSV_COLUMNS
from almaty_map.maprender.assets import constants
from almaty_map.maprender.options import MODES
from almaty_map.maprender.symbols import SHAPES
from tests.browser.conftest import open_map

pytestmark = pytest.mark.browser


def test_the_page_has_the_python_constants(watched, bundled_export):
    page = open_map(watched, bundled_export)
    assert page.evaluate("AlmatyMapLib.constants") == constants()


def test_the_canvas_traces_the_python_outlines(watched, bundled_export):
    page = open_map(watched, bundled_export)
    traced = page.evaluate(
        """(names) => Object.fromEntries(names.map((name) => {
            const points = [];
            const ctx = {moveTo: (x, y) => points.push([x, y]), lineTo: (x, y) =>
                points.push([x, y]), arc: () => points.push("arc"), closePath: () => {}};
            AlmatyMapLib.traceSymbol(ctx, name, 0, 0, 1);
            return [name, points];
        }))""",
        [*SHAPES, "circle"],
    )
    assert traced.pop("circle") == [[1, 0], "arc"]
    assert traced == {name: [list(p) for p in outline] for name, outline in SHAPES.items()}


def test_the_mode_choices_and_csv_columns_are_the_python_ones(watched, bundled_export):
    page = open_map(watched, bundled_export)
    assert page.eval_on_selector_all(".am-mode option", "(os) => os.map((o) => o.value)") == list(
        MODES
    )
    error = page.evaluate(
        "() => { try { almatyMap.setMode('nope'); } catch (e) { return e.message; } }"
    )
    assert error == f"mode must be one of {', '.join(MODES)}"
    assert page.evaluate("almatyMap.csv()").split("\n")[0] == ",".join(CSV_COLUMNS)
