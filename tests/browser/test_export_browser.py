"""The standalone export in real Chromium, opened from disk with the network cut."""

from __future__ import annotations

import json

import orjson
import pytest

from almaty_map.cli.outfile import write_output
from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.formats import events_geojson
from almaty_map.maprender.build import MapSpec, export_page
from tests.browser.conftest import expected_slices, open_map
from tests.conftest import DATA

pytestmark = pytest.mark.browser


def test_markers_follow_the_time_control(watched, bundled_export, bundled):
    page = open_map(watched, bundled_export)
    assert sorted(page.evaluate("almatyMap.events()")) == sorted(bundled.events["id"])
    expected = expected_slices(bundled)
    # Opens on the first period (cumulative: everything up to it).
    assert sorted(page.evaluate("almatyMap.shown()")) == expected[0]
    city = set(bundled.events["id"][bundled.events["geo_precision"] == "city"])
    slices = page.evaluate("almatyMap.slices()")
    assert [s["count"] for s in slices] == [len(e) for e in expected]
    page.evaluate("almatyMap.setMode('slice')")
    for k, ids in enumerate(expected):
        shown = page.evaluate(f"almatyMap.setSlice({k})")
        assert sorted(shown) == ids, slices[k]["label"]
        page.evaluate(
            "AlmatyMapLib.current.map.fitBounds(AlmatyMapLib.current.map"
            ".getBounds().pad(2), {animate: false})"
        )
        # Events known only to the city are listed apart ("place not known"), not drawn.
        drawn = page.evaluate("AlmatyMapLib.current.layer.drawn")
        assert drawn["symbols"] + drawn["areas"] == len(set(ids) - city)
    page.evaluate("almatyMap.setMode('cumulative'); almatyMap.setSlice(1)")
    assert sorted(page.evaluate("almatyMap.shown()")) == sorted(set(expected[0] + expected[1]))
    assert watched.tiles, "the base map asked for tiles (served blank, offline)"


def test_the_canvas_draws_the_symbol_only_in_its_slice(watched, bundled_export):
    page = open_map(watched, bundled_export, "#slice=1&mode=slice")
    probe = """() => {
        const app = AlmatyMapLib.current, i = app.events.index.get(
            "2022-01-05-akimat-stormed");
        const p = app.map.latLngToContainerPoint([app.payload.events.y[i],
                                                  app.payload.events.x[i]]);
        const canvases = document.querySelectorAll(".am-canvas");
        const canvas = canvases[canvases.length - 1];  // the symbols are on the top canvas
        const ratio = window.devicePixelRatio || 1;
        const x = Math.round((p.x + app.layer._pad.x) * ratio);
        const y = Math.round((p.y + app.layer._pad.y) * ratio);
        return Array.from(canvas.getContext("2d").getImageData(x, y, 1, 1).data);
    }"""
    r, g, b, a = page.evaluate(probe)
    assert (r, g, b, a) == (0xE6, 0x9F, 0x00, 255)  # unrest orange, solid: an exact place
    page.evaluate("almatyMap.setSlice(2)")
    assert page.evaluate(probe)[:3] != [0xE6, 0x9F, 0x00]


def test_the_card_quotes_the_source(watched, bundled_export):
    page = open_map(watched, bundled_export)
    text = page.evaluate("almatyMap.open('2022-01-06-republic-square-shooting')")
    assert "Peaceful demonstrators shot dead at the Independence Monument" in text
    assert "6 January 2022, evening" in text
    assert "unidentified gunmen shot and killed peaceful demonstrators" in text
    assert "Тәуелсіздік монументі" in text
    assert "Deaths: peaceful demonstrators, without a number" in text
    assert "Placed by: New Statesman" in text and "Dated by: New Statesman" in text
    assert "Corrected on 30 November 2026:" in text
    link = page.locator(".am-card a", has_text="New Statesman").first
    assert link.get_attribute("href").startswith("https://www.newstatesman.com/")
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert "event=2022-01-06-republic-square-shooting" in page.url


def test_popups_give_counts_and_corrections_as_the_sources_do(watched, bundled_export):
    page = open_map(watched, bundled_export)
    text = page.evaluate("almatyMap.open('2022-01-07-torture-deaths-in-custody')")
    assert "Deaths: at least 6 (in police custody; the report does not say where)" in text
    assert "Deaths as reported by: New Statesman" in text
    text = page.evaluate("almatyMap.open('2022-01-05-state-of-emergency')")
    assert "When: 5\u2009–\u200918 Jan 2022" in text  # the decree ended as 19 January began
    assert "Dated by: Interfax" in text
    text = page.evaluate("almatyMap.open('2022-01-09-emergency-hospital')")
    assert "Deaths: not reported" in text


def test_clicking_a_symbol_opens_its_card(watched, bundled_export):
    page = open_map(watched, bundled_export, "#slice=2&mode=slice")
    point = page.evaluate("""() => {
        const app = AlmatyMapLib.current, i = app.events.index.get(
            "2022-01-06-republic-square-shooting");
        const p = app.map.latLngToContainerPoint([app.payload.events.y[i],
                                                  app.payload.events.x[i]]);
        const box = app.map.getContainer().getBoundingClientRect();
        return [p.x + box.left, p.y + box.top];
    }""")
    page.mouse.move(*point)
    page.wait_for_selector(".leaflet-tooltip")
    assert "Peaceful demonstrators shot dead" in page.inner_text(".leaflet-tooltip")
    page.mouse.click(*point)
    page.wait_for_selector(".am-pane .am-card")
    assert "Independence Monument" in page.inner_text(".am-pane .am-card-title")


def test_time_control_works_from_the_keyboard(watched, bundled_export, bundled):
    shown = len(expected_slices(bundled)[1])
    page = open_map(watched, bundled_export, "#slice=0&mode=slice")
    slider = page.get_by_role("slider", name="Time slice")
    before = slider.get_attribute("aria-valuetext")
    assert before.startswith("2–4 January: protests spread")
    slider.focus()
    page.keyboard.press("ArrowRight")
    after = slider.get_attribute("aria-valuetext")
    assert after.startswith("5 January: the city overrun") and f"{shown} events shown" in after
    assert page.evaluate("almatyMap.state().slice") == 1
    page.get_by_role("button", name="Next time slice").click()
    assert page.evaluate("almatyMap.state().slice") == 2
    status = page.inner_text(".am-status")
    assert "6 January: troops arrive" in status and "events shown" in status
    page.get_by_label("Show").select_option("cumulative")
    assert page.evaluate("almatyMap.state().mode") == "cumulative"


def test_view_state_lives_in_the_hash(watched, bundled_export):
    page = open_map(
        watched, bundled_export, "#slice=3&mode=window&event=2022-01-07-aykorkem-killed"
    )
    state = page.evaluate("almatyMap.state()")
    assert (state["slice"], state["mode"], state["selected"]) == (
        3,
        "window",
        "2022-01-07-aykorkem-killed",
    )
    assert "Four-year-old Aykorkem Meldekhan" in page.inner_text(".am-card")


def test_downloaded_geojson_round_trips_every_property(watched, make_dataset, tmp_path):
    text = (DATA / "base" / "events.geojson").read_text()
    text = text.replace(
        '"actors": ["protesters"],',
        '"actors": ["protesters"], "acled_id": 123, "notes": {"k": [1, "two"]},',
    )
    dataset = load_dataset(make_dataset(events=text))
    path = tmp_path / "map.html"
    write_output(export_page(dataset, MapSpec()), path)
    page = open_map(watched, path)
    page.get_by_role("button", name="About this map, sources and downloads").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the events as GeoJSON").click()
    embedded = json.loads(download.value.path().read_text())
    served = orjson.loads(events_geojson(dataset, range(len(dataset.events))))
    assert embedded["features"] == served["features"]
    assert embedded["features"][1]["properties"]["notes"] == {"k": [1, "two"]}
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the events as CSV").click()
    csv_text = download.value.path().read_text()
    assert csv_text.splitlines()[0].startswith("id,title,description")
    assert len(csv_text.splitlines()) == 4


def test_titles_are_shown_as_text_never_run(watched, make_dataset, tmp_path):
    payload = "<img src=x onerror=alert(1)>"
    text = (DATA / "base" / "events.geojson").read_text()
    text = text.replace('"Rally through the night"', json.dumps(payload))
    path = tmp_path / "hostile.html"
    write_output(export_page(load_dataset(make_dataset(events=text))), path)
    page = open_map(watched, path)
    shown = page.evaluate("almatyMap.open('spans-midnight')")
    assert payload in shown
    assert page.locator(".am-card img").count() == 0


def test_reference_places_open_where_no_event_is_drawn(watched, bundled_export):
    page = open_map(watched, bundled_export, "#slice=0&mode=slice")
    point = page.evaluate("""() => {
        const map = AlmatyMapLib.current.map;
        map.setView([43.2372, 76.9456], 16, {animate: false});
        const p = map.latLngToContainerPoint([43.236389, 76.945556]);
        const box = map.getContainer().getBoundingClientRect();
        return [p.x + box.left, p.y + box.top];
    }""")
    page.mouse.click(*point)
    page.wait_for_selector(".am-pane .am-place-card")
    text = page.inner_text(".am-pane .am-place-card")
    assert "Almaty city administration (akimat) building" in text
    assert "Здание акимата города Алматы" in text
    assert "Reference place" in text


def test_packed_encoding_round_trips_every_property_of_every_event(watched, tmp_path):
    """A map large enough to pack its details block (deflate + base64) still gives back
    exactly the events the API serves."""
    from harness.synthetic import write_dataset

    dataset = load_dataset(write_dataset(2500, tmp_path / "synthetic"))
    path = tmp_path / "synthetic.html"
    write_output(export_page(dataset, MapSpec(slice_by="day")), path)
    assert 'type="application/x-almaty-map+deflate-base64"' in path.read_text()
    page = open_map(watched, path)
    embedded = page.evaluate("JSON.stringify(almatyMap.geojson())")
    served = orjson.loads(events_geojson(dataset, range(len(dataset.events))))
    assert json.loads(embedded)["features"] == served["features"]
    assert len(served["features"]) == 2500


def test_the_export_runs_under_its_own_policy_from_a_file(watched, bundled_export):
    """The map works from disk under the policy in its <meta> (any violation would be a
    console error, failing the test), and the policy holds: a script the page did not ship
    does not run, and no image is fetched from a host that is not a tile server."""
    page = open_map(watched, bundled_export)
    page.evaluate("almatyMap.open('2022-01-06-republic-square-shooting')")
    violations = page.evaluate("""() => new Promise((done) => {
        const seen = [];
        document.addEventListener("securitypolicyviolation",
          (e) => seen.push(e.effectiveDirective));
        const script = document.createElement("script");
        script.textContent = "window.__ran = true";
        document.body.append(script);
        new Image().src = "https://images.example.org/pixel.png";
        setTimeout(() => done(seen.sort()), 500);
    })""")
    assert violations == ["img-src", "script-src-elem"]
    assert page.evaluate("window.__ran === undefined")
    assert watched.external == []  # refused before any request was made
    # The two refusals were reported on the console; nothing else was.
    refused = [e for e in watched.errors if "Content Security Policy" in e]
    assert len(refused) == 2 and len(watched.errors) == 2
    watched.errors.clear()
