"""Truth in the bundled data: every event quotes the report and says how precise it is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from almaty_map.geodata.bundled import BUNDLED

SOURCE_TEXT = Path(__file__).parents[1] / "geodata" / "datasets" / "almaty-2022"
REPORT_URL = "https://www.newstatesman.com/world/europe/ukraine/2022/06/"
REFERENCE = Path(__file__).parent / "data" / "reference-places.geojson"


def features():
    return json.loads((BUNDLED / "events.geojson").read_text(encoding="utf-8"))["features"]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"'))


@pytest.fixture(scope="module")
def report_text():
    text = (REFERENCE.parent / "new-statesman-almaty-2022.txt").read_text(encoding="utf-8")
    return normalise(text)


def test_every_event_quotes_the_report_verbatim(report_text):
    for feature in features():
        props = feature["properties"]
        quoted = [s for s in props["sources"] if s.get("url", "").startswith(REPORT_URL)]
        assert quoted, props["id"]
        for source in quoted:
            assert normalise(source["quote"]) in report_text, (props["id"], source["quote"])
            assert len(source["quote"]) <= 200


def test_places_come_from_the_reference_and_nothing_is_guessed(bundled):
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))["features"]
    cited = {json.dumps(f["geometry"]) for f in reference if f["geometry"]}
    for feature in features():
        assert json.dumps(feature["geometry"]) in cited, feature["properties"]["id"]


def test_vague_places_are_at_city_precision():
    city = {"type": "Point", "coordinates": [76.915, 43.24]}
    by_id = {f["properties"]["id"]: f for f in features()}
    for event_id in (
        "2022-01-07-hospital-raids",
        "2022-01-09-emergency-hospital",
        "2022-01-07-hospital-no7",
        "2022-06-aykorkem-mural-painted-over",
        "2022-01-family-apartment",
    ):
        assert by_id[event_id]["geometry"] == city
        assert by_id[event_id]["properties"]["geo_precision"] == "city"
    square = by_id["2022-01-04-republic-square-protests"]
    assert square["geometry"]["type"] == "Polygon"
    assert by_id["2022-01-06-republic-square-shooting"]["geometry"]["type"] == "Point"


def test_the_familys_home_is_never_finer_than_the_city(bundled):
    row = bundled.events.set_index("id").loc["2022-01-family-apartment"]
    assert row["sensitive"]
    assert row["geo_precision"] == "city"


def test_required_events_are_present():
    ids = {f["properties"]["id"] for f in features()}
    for needed in (
        "republic-square-protests",
        "akimat-stormed",
        "shops-looted",
        "police-killed",
        "csto-arrives",
        "republic-square-shooting",
        "military-control",
        "state-of-emergency",
        "shoot-to-kill-order",
        "communications-cut",
        "aykorkem-killed",
        "hospital-raids",
        "torture-deaths-in-custody",
        "mural-painted-over",
    ):
        assert any(needed in i for i in ids), needed


def test_every_source_is_cited_fully():
    for feature in features():
        for source in feature["properties"]["sources"]:
            assert source["publication"] and source["title"] and source["date"]
            assert source["url"].startswith("https://")
            assert source.get("quote") or source.get("note"), feature["properties"]["id"]


# --- Claims and counts: what the fact-check of November 2026 found, made hard to repeat ---

MONTHS = {
    1: ("January", "января", "қаңтар"),
    2: ("February", "февраля", "ақпан"),
    6: ("June", "июня", "маусым"),
}
DEATH_WORDS = re.compile(r"\b(killed|shot dead|died|deaths?)\b|убит|погиб|қаза", re.I)
AT_LEAST = re.compile(r"\bat least\b|не менее|по меньшей мере|кемінде", re.I)
AROUND = re.compile(r"\b(around|about|some)\b|около|примерно|шамамен", re.I)
# Hosts that copy other sites: an event cites the original's own address instead.
COPY_HOSTS = ("cloudfront.net", "staging.", "kiwix", "ipfs", "wiki-org.ru", "perceptio", "hmong")


def quotes(props: dict, field: str) -> list[str]:
    positions = props.get(field) or []
    positions = [positions] if isinstance(positions, int) else positions
    return [props["sources"][k]["quote"] for k in positions]


def test_a_figure_quoted_with_at_least_is_stored_as_at_least():
    for feature in features():
        props = feature["properties"]
        for source in props["sources"]:
            quote = source.get("quote", "")
            if (
                props["fatalities"] is not None
                and AT_LEAST.search(quote)
                and DEATH_WORDS.search(quote)
            ):
                assert props["fatalities"]["kind"] == "at least", props["id"]


def test_a_death_stated_in_a_quote_is_never_not_reported():
    """Events about killings and custody whose quotations state deaths carry a count
    (memory events quote deaths that belong to other events)."""
    for feature in features():
        props = feature["properties"]
        if props["category"] not in {"lethal-force", "custody"}:
            continue
        if any(DEATH_WORDS.search(s.get("quote", "")) for s in props["sources"]):
            assert props["fatalities"] is not None, props["id"]
            assert props["fatalities_source"] is not None, props["id"]


def test_an_end_matches_the_quote_that_dates_it():
    """An end must rest on a quotation naming its date: the end of a decree "until 00:00 on
    19 January" is 19 January, not the day after."""
    for feature in features():
        props = feature["properties"]
        if not props.get("end") or props["time_precision"] in {"week", "month"}:
            continue
        _, month, day = (int(x) for x in props["end"][:10].split("-"))
        said = quotes(props, "time_source")
        assert said, props["id"]
        names = MONTHS[month]
        patterns = [rf"\b{day}\s+{name}" for name in names] + [rf"{names[0]}\s+{day}\b"]
        assert any(re.search(p, q) for p in patterns for q in said), (props["id"], said)


def test_the_national_toll_is_given_as_each_source_gives_it():
    import tomllib

    meta = tomllib.loads((BUNDLED / "dataset.toml").read_text(encoding="utf-8"))
    figures = meta["figures"]
    assert len(figures) >= 2  # the sources disagree: both are shown
    for figure in figures:
        quote, count = figure["source"]["quote"], figure["count"]
        assert "across Kazakhstan" in count["scope"]
        assert str(count["count"]) in quote
        if AT_LEAST.search(quote):
            assert count["kind"] == "at least"
        elif AROUND.search(quote):
            assert count["kind"] == "about"


def test_every_precise_claim_rests_on_a_quote(bundled):
    assert [str(p) for p in bundled.warnings] == []


def test_events_cite_canonical_addresses():
    for feature in features():
        for source in feature["properties"]["sources"]:
            assert not any(host in source["url"] for host in COPY_HOSTS), source["url"]


def test_places_read_through_a_copy_say_so():
    for feature in json.loads((BUNDLED / "places.geojson").read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        if any(host in props["source_url"] for host in COPY_HOSTS):
            assert "copy" in props["source_title"], props["id"]


def test_nothing_from_the_article_about_the_home_but_the_intersection():
    """The article that places the intersection describes the family's home: its district
    and the surviving sister's name appear nowhere in the data."""
    text = "".join(p.read_text(encoding="utf-8") for p in BUNDLED.iterdir() if p.is_file())
    for private in ("Турксиб", "Turksib", "Жанель", "Zhanel"):
        assert private not in text


def test_every_corrected_event_is_in_the_corrections_log(bundled):
    corrected = {c.event for c in bundled.corrections}
    for event_id in (
        "2022-01-07-torture-deaths-in-custody",
        "2022-01-06-csto-arrives",
        "2022-01-07-aykorkem-killed",
        "2022-01-05-state-of-emergency",
        "2022-01-05-police-killed",
        "2022-01-06-republic-square-shooting",
        "2022-01-07-hospital-no7",
        "2022-01-07-shoot-to-kill-order",
        "2022-01-05-shops-looted",
        "2022-01-05-communications-cut",
    ):
        assert event_id in corrected, event_id
    assert None in corrected  # the summary, captions and place names
    assert bundled.meta.version == "1.1.0"
