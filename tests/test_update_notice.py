"""A served map whose files were edited into an invalid state says only that an update is
waiting for review: the server's paths and the unpublished values stay in the log."""

from __future__ import annotations

from almaty_map.app import create_app
from tests.conftest import DATA


def test_the_public_notice_shows_no_path_and_no_unpublished_value(make_dataset):
    folder = make_dataset()
    toml = folder / "dataset.toml"  # offering Russian too, to see the notice translated
    toml.write_text(
        'languages = ["en", "ru"]\n' + toml.read_text(encoding="utf-8"), encoding="utf-8"
    )
    app = create_app({"TESTING": True, "DATA_PATH": str(folder)})
    events = folder / "events.geojson"
    unpublished = "Unpublished name of a witness"
    broken = (DATA / "base" / "events.geojson").read_text(encoding="utf-8")
    broken = broken.replace('"Rally through the night"', f'"{unpublished}"')
    broken = broken.replace('"category": "protest"', '"category": "secret-category-x"', 1)
    events.write_text(broken, encoding="utf-8")
    store = app.extensions["almaty_map"]
    assert not store.reload()  # the edit does not validate: the last good data stays
    page = app.test_client().get("/").get_data(as_text=True)
    assert "An update to this map is waiting for review" in page
    for private in (str(folder), "events.geojson", "secret-category-x", unpublished):
        assert private not in page
    ru = app.test_client().get("/?lang=ru").get_data(as_text=True)
    assert "Обновление этой карты ожидает проверки" in ru
