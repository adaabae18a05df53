"""The map's scripts are all registered, so the export inlines and the server links them (or,
for the snapshot's own, the snapshot page inlines them)."""

from __future__ import annotations

from almaty_map.maprender.assets import ASSETS, HERE, PRINT_ASSETS


def test_every_script_in_maprender_js_is_an_asset():
    registered = {a.path for a in ASSETS + PRINT_ASSETS if a.kind == "js" and a.path is not None}
    assert set((HERE / "js").glob("*.js")) <= registered
