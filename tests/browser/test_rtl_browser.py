"""A right-to-left interface mirrors, measured as geometry.

The bundled data served with an Arabic interface (dataset.toml's ``languages``): on a wide
screen the filters and list sit on the map's left and the event's pane on its left too, the
mirror of the English page; no text overflows its box and nothing scrolls sideways; and, as
in test_layout_browser, every event's title, time and place are on screen and under no
control, on the reader's page and the export, on a phone and a laptop.
"""

from __future__ import annotations

import shutil

import pytest

from almaty_map.cli.outfile import write_output
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import load_dataset
from almaty_map.maprender.build import MapSpec, export_page
from harness.serving import serve
from tests.browser.conftest import READY
from tests.browser.test_layout_browser import CARD, MEASURE

pytestmark = [pytest.mark.browser, pytest.mark.server]

VIEWPORTS = [(390, 844), (1366, 800)]

# Where the page's parts are, and every box whose text is wider than the box.
GEOMETRY = """() => {
  const box = (s) => { const r = document.querySelector(s).getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  const overflowing = [];
  const parts = ".site-header *, .sidebar *, .am-pane *, .am-dock *, .am-titlebox *";
  for (const node of document.querySelectorAll(parts)) {
    // Visually hidden text is clipped on purpose (it is for screen readers).
    if (!node.checkVisibility() || !node.clientWidth || node.closest("[class*=visually-hidden]")) {
      continue;
    }
    if (node.scrollWidth > node.clientWidth + 1) {
      overflowing.push(`${node.tagName.toLowerCase()}.${node.className}: ` +
        `${node.scrollWidth} > ${node.clientWidth}`);
    }
  }
  return {
    dir: document.documentElement.dir, sidebar: box(".sidebar"), map: box(".am-map"),
    pane: box(".am-pane"), title: box(".site-title h1"), header: box(".site-header"),
    languages: box("nav.languages"), sideways: document.documentElement.scrollWidth - innerWidth,
    overflowing,
  };
}"""


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    """The bundled dataset offering Arabic first, served, and its Arabic export."""
    folder = tmp_path_factory.mktemp("arabic") / "data"
    shutil.copytree(BUNDLED, folder)
    toml = folder / "dataset.toml"
    toml.write_text(
        toml.read_text().replace('languages = ["en", "ru", "kk"]', 'languages = ["ar", "en"]')
    )
    dataset = load_dataset(folder)
    export = folder.parent / "ar.html"
    write_output(export_page(dataset, MapSpec(language="ar")), export)
    with serve("--data", str(folder)) as url:
        yield url, export, dataset


def _page(browser, arabic, viewport, url):
    base = arabic[0]
    phone = viewport[0] < 500
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((base, "file:", "data:", "blob:"))
            else route.abort()
        ),
    )
    page.goto(url)
    page.evaluate(READY)
    return context, page


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_wide_layout_mirrors_in_arabic(browser, arabic, lang):
    context, page = _page(browser, arabic, (1366, 800), f"{arabic[0]}/?lang={lang}")
    page.evaluate("almatyMap.open('2022-01-06-republic-square-shooting')")
    found = page.evaluate(GEOMETRY)
    context.close()
    assert found["overflowing"] == [] and found["sideways"] <= 0, found["overflowing"]
    side, map_, pane = found["sidebar"], found["map"], found["pane"]
    if lang == "ar":
        assert found["dir"] == "rtl"
        assert side["right"] <= map_["left"] + 1 and pane["right"] <= map_["left"] + 1, found
        assert found["title"]["right"] > found["languages"]["right"], found
    else:
        assert found["dir"] == "ltr"
        assert side["left"] >= map_["right"] - 1 and pane["left"] >= map_["right"] - 1, found
        assert found["title"]["left"] < found["languages"]["left"], found


def test_a_phone_in_arabic_scrolls_only_down(browser, arabic):
    context, page = _page(browser, arabic, (390, 844), f"{arabic[0]}/")
    page.evaluate("almatyMap.open('2022-01-06-republic-square-shooting')")
    found = page.evaluate(GEOMETRY)
    context.close()
    assert found["dir"] == "rtl" and found["sideways"] <= 0, found
    assert found["overflowing"] == [], found


@pytest.mark.parametrize("which", ["reader", "export"])
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_no_control_covers_any_event_card_in_arabic(browser, arabic, viewport, which):
    url = f"{arabic[0]}/" if which == "reader" else arabic[1].as_uri()
    context, page = _page(browser, arabic, viewport, url)
    page.evaluate("almatyMap.story(false)")
    failures = []
    for event_id in arabic[2].events["id"]:
        page.evaluate("(id) => almatyMap.open(id)", event_id)
        first_sight = {k: CARD[k] for k in ("title", "time", "place")}
        for problem in page.evaluate(MEASURE, [first_sight, True]):
            failures.append(f"{event_id}, as it opens: {problem}")
        for problem in page.evaluate(MEASURE, [CARD, False]):
            failures.append(f"{event_id}: {problem}")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    context.close()
    assert not failures, f"{viewport} {which}:\n" + "\n".join(failures)
