"""Values the map's JavaScript shares with Python are defined once, in Python, and reach the
scripts through the generated almaty-constants.js."""

from __future__ import annotations

import json
import re

from almaty_map.geodata.formats import CSV_COLUMNS, JSON_FIELDS
from almaty_map.geodata.metadata import SYMBOLS
from almaty_map.geodata.model import SOURCE_FIELDS
from almaty_map.maprender.assets import ASSETS, HERE, asset_text, asset_version, inline_tags
from almaty_map.maprender.options import MODES
from almaty_map.maprender.symbols import SHAPES, symbol_path

PYTHON_VALUES = {
    "modes": list(MODES),
    "sourceFields": list(SOURCE_FIELDS),
    "csvColumns": list(CSV_COLUMNS),
    "jsonFields": list(JSON_FIELDS),
    "shapes": {name: [list(point) for point in outline] for name, outline in SHAPES.items()},
}


def generated_constants() -> dict:
    text = asset_text("almaty-constants.js")
    found = re.search(r"^window\.AlmatyMapLib\.constants = (\{.*\});$", text, re.M | re.S)
    assert found, text
    return json.loads(found.group(1))


def test_the_generated_script_carries_the_python_definitions():
    assert generated_constants() == PYTHON_VALUES


def test_no_script_keeps_its_own_copy_of_a_shared_list():
    for path in (HERE / "js").glob("*.js"):
        name, text = path.name, re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        for values in (MODES, SOURCE_FIELDS, CSV_COLUMNS):
            assert ", ".join(json.dumps(v) for v in values[:3]) not in text, (name, values)
        for symbol in SHAPES:  # "square" in a comment is fine; "square:" or "square" is not
            assert not re.search(rf"\b{symbol}[\":]", text), (name, symbol)


def test_the_constants_load_before_the_scripts_that_read_them():
    names = [a.name for a in ASSETS]
    assert names.index("almaty-constants.js") < names.index("almaty-core.js")
    assert min(i for i, n in enumerate(names) if n.startswith("almaty-") and n.endswith(".js")) == (
        names.index("almaty-constants.js")
    )
    assert asset_text("almaty-constants.js") in inline_tags()


def test_the_constants_are_served_with_a_content_version(client):
    response = client.get("/assets/almaty-constants.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.get_data(as_text=True) == asset_text("almaty-constants.js")
    page = client.get("/").get_data(as_text=True)
    version = asset_version("almaty-constants.js")
    assert f'<script src="/assets/almaty-constants.js?v={version}"></script>' in page


def test_every_symbol_a_dataset_may_name_has_an_outline_or_is_the_circle():
    assert {*SHAPES, "circle"} == set(SYMBOLS)


def test_the_svg_paths_follow_the_outlines():
    for name, outline in SHAPES.items():
        numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", symbol_path(name, 6))]
        expected = [round(v * 6, 2) for point in outline for v in point]
        assert numbers == expected, name
