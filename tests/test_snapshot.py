"""`almaty-map snapshot` draws a composed picture (title, dates, map, legend, scale, credits,
the event's card or the story's caption) in the system's headless Chromium.

The command is run in its own process, as people run it. Pictures drawn through the
functions run Playwright in a thread of their own, since the browser tests' session may hold
a running one in the main thread. Views the map cannot show are refused before any browser
starts: those tests set ALMATY_MAP_CHROMIUM to a path that does not exist, so they would fail
with a Chromium error if it were looked for first.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli
from almaty_map.geodata.dataset import load_dataset
from almaty_map.maprender.build import MapSpec
from almaty_map.maprender.options import MapOptions
from almaty_map.maprender.shot import SIZES
from almaty_map.maprender.snapshot import SnapshotError, snapshot
from almaty_map.maprender.snapshot_page import Tiles, snapshot_page
from almaty_map.maprender.snapshot_view import View, ViewError, plan_view
from harness.serving import ROOT, START, free_port
from tests.conftest import DATA

PNG = b"\x89PNG\r\n\x1a\n"
SHOOTING = "2022-01-06-republic-square-shooting"
NO_CHROMIUM = {"ALMATY_MAP_CHROMIUM": "/nonexistent/chromium"}
GREY_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
browser = pytest.mark.browser


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG
    return struct.unpack(">II", data[16:24])


def run(tmp_path, *args, env=None):
    """The command in its own process; returns the result, the PNG path and the seconds."""
    out = tmp_path / "picture.png"
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", START, "snapshot", "--out", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=None if env is None else {**os.environ, **env},
    )
    return result, out, time.monotonic() - began


def refuse(*args) -> str:
    """The one-line error a view the map cannot show gets, before Chromium is looked for."""
    result = CliRunner().invoke(cli, ["snapshot", "--out", "x.png", *args], env=NO_CHROMIUM)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def draw(dataset, view=None, shot=SIZES["social"], tiles=None):
    """A picture through the functions, with the page it was drawn from."""
    page = snapshot_page(dataset, plan_view(dataset, MapSpec(), view or View()), tiles)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(snapshot, page, shot, tiles is None, True).result()


class Tags(HTMLParser):
    """Every element of a page, as (tag, attributes)."""

    def __init__(self, page: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def classes(self) -> set[str]:
        return {c for _, attrs in self.found for c in (attrs.get("class") or "").split()}


# --- Views the map cannot show: one line, exit 2, before Chromium ---------------------------


def test_an_out_of_range_slice_names_the_valid_range():
    assert refuse("--at", "9") == "Error: --at: expected 1 to 6, got 9\n"
    assert refuse("--at", "0") == "Error: --at: expected 1 to 6, got 0\n"
    assert refuse("--at", "2", "--start", "2030-01-01").startswith(
        "Error: --at: this map has no time slices"
    )


def test_an_unknown_event_names_some_ids_and_how_to_list_them():
    message = refuse("--event", "no-such-event")
    assert message.startswith("Error: --event: no event 'no-such-event' in this map (no such id)")
    assert "2022-01-04-republic-square-protests" in message
    assert "almaty-map query" in message
    left_out = refuse("--event", SHOOTING, "--category", "protest")
    assert "the filters leave it out" in left_out


def test_an_event_the_chosen_slice_does_not_show_is_refused_with_its_own_slice():
    message = refuse("--event", SHOOTING, "--at", "1", "--mode", "slice")
    assert message == (
        f"Error: --event: '{SHOOTING}' is not shown at --at 1 (it is in time slice 3); "
        "give --at 3, or leave --at out\n"
    )


def test_an_event_on_a_map_without_named_periods_is_shown_in_its_month(make_dataset):
    toml = (DATA / "base" / "dataset.toml").read_text()
    dataset = load_dataset(make_dataset(toml=toml[: toml.index("[[periods]]")]))
    plan = plan_view(dataset, MapSpec(), View(event="spans-midnight"))
    assert plan.slices[plan.current].kind == "month" and len(plan.shown)


def test_a_story_needs_captions():
    assert refuse("--story", "--slice", "day").startswith("Error: --story: no time slice has")


# --- What the picture shows --------------------------------------------------------------


def test_the_view_follows_the_maps_modes(bundled):
    def shown(view, mode="cumulative"):
        plan = plan_view(bundled, MapSpec(options=MapOptions(mode=mode)), view)
        return plan.current, len(plan.shown)

    assert shown(View()) == (5, 19)  # the last slice, everything up to it
    assert shown(View(at=3), "slice") == (2, 5)  # 6 January alone, as in story mode
    assert shown(View(at=3, story=True)) == (2, 5)
    assert shown(View(at=4), "window") == (3, 16)  # slices 2 to 4
    # Without --at, an event the default slice does not show moves the view to its slice.
    assert shown(View(event=SHOOTING), "slice") == (2, 5)
    with pytest.raises(ViewError):
        plan_view(bundled, MapSpec(), View(at=7))


def test_the_page_has_the_frame_and_nothing_to_click(bundled):
    page = snapshot_page(bundled, plan_view(bundled, MapSpec(), View(event=SHOOTING)), None)
    text = page.decode()
    tags = Tags(text)
    assert not [t for t, _ in tags.found if t in {"button", "input", "select", "a", "details"}]
    assert "as-card" in tags.classes() and "as-legend" in tags.classes()
    assert "Peaceful demonstrators shot dead at the Independence Monument" in text
    assert "just after dusk on 6 January, unidentified gunmen" in text  # the quotation
    assert "Data: CC BY 4.0" in text
    assert "Background map" not in text  # no tiles, no tile credit


def test_the_legend_lists_only_what_is_shown(bundled):
    plan = plan_view(bundled, MapSpec(options=MapOptions(mode="slice")), View(at=3))
    text = snapshot_page(bundled, plan, None).decode()
    legend = text[text.index('<section class="as-legend"') : text.index("</section>")]
    assert "Shootings and killings" in legend
    assert "Hospital raids" not in legend  # no such event on 6 January
    # 6 January: the shooting at the monument (approximate) and city-wide events only.
    assert "Approximate (within about 250 m)" in legend and "City only" not in legend
    assert "4 events placed only in the city, not drawn" in legend
    assert "Exact location" not in legend and "Area (within about 1 km)" not in legend


def test_hostile_text_is_shown_as_text(make_dataset):
    dataset = load_dataset(DATA / "hostile")
    plan = plan_view(dataset, MapSpec(), View(event="plain-id"))
    text = snapshot_page(dataset, plan, None).decode()
    start = text.index("</head>")
    body = text[start : text.index('<script type="application/json"', start)]
    assert "<img" not in body and "<svg" not in body and "<script>alert" not in body
    assert "&lt;img src=x onerror=alert(&#34;img&#34;)&gt;" in body


# --- The pictures ------------------------------------------------------------------------


@browser
@pytest.mark.parametrize(
    ("args", "pixels"),
    [
        ((), (1200, 630)),
        (("--size", "square"), (1080, 1080)),
        (("--size", "print-a5"), (1748, 2480)),
        (("--width", "600", "--height", "400", "--scale", "1.5"), (900, 600)),
        (("--size", "print-a5", "--scale", "1"), (874, 1240)),
    ],
    ids=["social", "square", "print-a5", "explicit", "preset-overridden"],
)
def test_each_size_gives_its_pixels(tmp_path, args, pixels):
    result, out, _ = run(tmp_path, "--offline", *args)
    assert result.returncode == 0, result.stderr
    assert png_size(out.read_bytes()) == pixels
    assert f"({pixels[0]}x{pixels[1]} px," in result.stderr


@browser
def test_the_picture_is_drawn_from_a_page_without_controls(bundled):
    picture = draw(bundled, View(at=3, story=True, event=SHOOTING))
    tags = Tags(picture.dom)
    interactive = {"button", "input", "select", "textarea", "a", "details", "summary"}
    assert not [t for t, _ in tags.found if t in interactive]
    assert not [a for _, a in tags.found if "tabindex" in a or "contenteditable" in a]
    classes = tags.classes()
    assert not {
        c for c in classes if c.startswith("leaflet-control") and c != "leaflet-control-container"
    }
    assert not classes & {
        "am-time",
        "am-legend-box",
        "am-about",
        "am-list-box",
        "am-story",
        "am-timeline",
    }
    # What is there instead: the map drawn by the canvas layer, the frame around it.
    assert "am-canvas" in classes and "as-card" in classes and "as-story" in classes
    assert "CSTO paratroopers, mainly Russian" in picture.dom  # the story's caption
    assert re.search(r'class="as-scale-text">\d[\d,.]* k?m</span>', picture.dom)  # scale drawn
    # Of the 5 events of 6 January, the one placed at the monument is drawn in its dashed
    # circle; the 4 placed only in the city are not drawn, and the legend says so.
    assert picture.drawn == {"symbols": 1, "areas": 0, "circles": True}
    assert "4 events placed only in the city, not drawn" in picture.dom


@browser
@pytest.mark.parametrize("size", list(SIZES))
def test_the_event_card_is_inside_the_picture_in_full(bundled, size):
    picture = draw(bundled, View(event="2022-01-04-republic-square-protests"), SIZES[size])
    boxes = picture.layout["boxes"]
    width, height = boxes["viewport"]
    for name in ("frame", "side", "card"):
        box = boxes[name]
        assert box["left"] >= 0 and box["top"] >= 0, (name, box)
        assert box["right"] <= width and box["bottom"] <= height, (name, box)
        assert box["scrollHeight"] <= box["clientHeight"], (name, box)
        assert box["scrollWidth"] <= box["clientWidth"], (name, box)
    assert png_size(picture.png) == SIZES[size].pixels


def long_event(description_words: int, sources: int) -> str:
    """The base dataset with one event whose card is long."""
    features = json.loads((DATA / "base" / "events.geojson").read_text())
    event = features["features"][0]["properties"]
    event["description"] = " ".join(["Witnesses describe what they saw."] * description_words)
    event["sources"] = [
        {
            "publication": f"Gazette {k}",
            "title": "A long report on the night in the square",
            "date": "2022-01-08",
            "url": f"https://example.org/reports/{k}",
            "quote": "A quotation of some length, as sources give them, kept whole. " * 2,
        }
        for k in range(sources)
    ]
    return json.dumps(features)


@browser
def test_a_long_card_is_fitted_by_smaller_text_and_a_larger_share(make_dataset):
    dataset = load_dataset(make_dataset(events=long_event(40, 6)))
    picture = draw(dataset, View(event="spans-midnight"))
    layout = picture.layout
    assert layout["font"] < 1 or layout["share"] != "34%", layout
    card = layout["boxes"]["card"]
    assert card["scrollHeight"] <= card["clientHeight"] and card["bottom"] <= 630


@browser
def test_a_card_that_cannot_fit_is_refused_not_clipped(make_dataset):
    dataset = load_dataset(make_dataset(events=long_event(400, 10)))
    with pytest.raises(SnapshotError, match="does not fit in 1200x630 CSS px"):
        draw(dataset, View(event="spans-midnight"))


# --- Tiles: drawn when they come, given up quickly when they do not ----------------------


@browser
def test_offline_says_so_and_does_not_wait(tmp_path, bundled):
    result, out, _ = run(tmp_path, "--offline", "--event", SHOOTING)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "Drawing without background tiles (--offline)."
    assert len(lines) == 2 and lines[1].startswith(f"Wrote {out} (1200x630 px,")
    # Offline, the page asks for no tile and so waits for none (timings: bench/ and README).
    picture = draw(bundled, View(event=SHOOTING))
    assert picture.tiles["state"] == "off" and not picture.tiles.get("ms"), picture.tiles


@browser
def test_an_unreachable_tile_server_is_given_up_at_once(bundled):
    url = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"  # nothing listens there
    picture = draw(bundled, tiles=Tiles(url, "© nobody"))
    assert picture.tiles["state"] == "failed" and picture.tiles["why"] == "error"
    # Given up on the first failure: far sooner than the 10 s a slow server would get.
    assert picture.tiles["ms"] < 5000, picture.tiles
    assert "as-tile-credit" not in Tags(picture.dom).classes()  # no credit: no tiles


@pytest.fixture
def silent_port():
    """A port that takes connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


@browser
def test_a_silent_tile_server_is_given_up_after_the_first_deadline(bundled, silent_port):
    url = f"http://127.0.0.1:{silent_port}/{{z}}/{{x}}/{{y}}.png"
    picture = draw(bundled, tiles=Tiles(url, "© silent", first_s=1.0))
    assert picture.tiles["state"] == "failed" and picture.tiles["why"] == "silent"
    assert 1000 <= picture.tiles["ms"] < 2500, picture.tiles


class TileHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(GREY_TILE)))
        self.end_headers()
        self.wfile.write(GREY_TILE)

    def log_message(self, *args):
        pass


@pytest.fixture
def tile_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), TileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()


@browser
def test_tiles_that_come_are_drawn_and_credited(bundled, tile_server):
    picture = draw(bundled, tiles=Tiles(tile_server, "© Test Tiles", class_name="am-tiles-light"))
    assert picture.tiles["state"] == "drawn" and picture.tiles["loaded"] > 0
    assert '<span class="as-tile-credit">Background map: © Test Tiles</span>' in picture.dom
    assert "leaflet-tile-loaded" in picture.dom


def test_help_explains_the_sizes_and_shows_the_examples():
    result = CliRunner().invoke(cli, ["snapshot", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for words in ("social 1200x630 px", "square 1080x1080 px", "print-a5 1748x2480 px", SHOOTING):
        assert words in text


@browser
def test_the_examples_in_help_and_readme_run(tmp_path):
    """Every snapshot example of --help and of the README draws a picture."""
    help_text = CliRunner().invoke(cli, ["snapshot", "--help"]).output
    readme = (ROOT / "README.md").read_text()
    lines = [
        line.split("almaty-map snapshot", 1)[1]
        for line in help_text.splitlines() + readme.splitlines()
        if line.strip().startswith(("almaty-map snapshot", ".venv/bin/almaty-map snapshot"))
    ]
    assert len(lines) >= 6
    for line in lines:
        args = [str(tmp_path / a) if a.endswith(".png") else a for a in line.split()]
        result = subprocess.run(
            [sys.executable, "-c", START, "snapshot", *args, "--offline"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (args, result.stderr)
