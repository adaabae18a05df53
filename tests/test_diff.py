"""`almaty-map diff`: what a new version changes, field by field, before it is published."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from almaty_map.cli import main
from almaty_map.geodata.bundled import BUNDLED


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def edited_copy(tmp_path):
    """The bundled dataset with one event changed, one removed and one reformatted file."""
    folder = tmp_path / "new"
    shutil.copytree(BUNDLED, folder)
    path = folder / "events.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    features = doc["features"]
    for feature in features:
        if feature["id"] == "2022-01-05-state-of-emergency":
            feature["properties"]["end"] = "2022-01-20T00:00:00+06:00"
    doc["features"] = [f for f in features if f["id"] != "2022-01-07-military-control"]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")  # no indentation
    return folder


def test_the_same_data_reformatted_is_no_change(tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(BUNDLED, folder)
    doc = json.loads((folder / "events.geojson").read_text(encoding="utf-8"))
    (folder / "events.geojson").write_text(json.dumps(doc), encoding="utf-8")
    result = invoke("diff", str(BUNDLED), str(folder))
    assert result.exit_code == 0, result.output
    assert "0 added, 0 removed, 0 changed, 19 unchanged" in result.output


def test_changes_are_listed_field_by_field(tmp_path):
    result = invoke("diff", str(BUNDLED), "--data", str(edited_copy(tmp_path)))
    assert result.exit_code == 1
    assert "- 2022-01-07-military-control: The military takes control of Almaty" in result.output
    assert "~ 2022-01-05-state-of-emergency" in result.output
    assert '    end: "2022-01-19T00:00:00+06:00" -> "2022-01-20T00:00:00+06:00"' in result.output
    assert "0 added, 1 removed, 1 changed, 17 unchanged" in result.output


def test_json_for_scripts(tmp_path):
    result = invoke("diff", str(BUNDLED), str(edited_copy(tmp_path)), "--format", "json")
    report = json.loads(result.output)
    assert report["changed"] == {
        "2022-01-05-state-of-emergency": {
            "end": {"old": "2022-01-19T00:00:00+06:00", "new": "2022-01-20T00:00:00+06:00"}
        }
    }
    assert [f["id"] for f in report["removed"]] == ["2022-01-07-military-control"]
    assert report["added"] == [] and report["unchanged"] == 17


def test_an_unloadable_dataset_is_exit_2_with_the_report(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(BUNDLED, folder)
    (folder / "dataset.toml").write_text("title = ", encoding="utf-8")
    result = invoke("diff", str(BUNDLED), str(folder))
    assert result.exit_code == 2
    assert "not valid TOML" in result.output
