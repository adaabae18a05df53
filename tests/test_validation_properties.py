"""Property test: any value in any field of a feature gets a clear report or loads whole.

The corpus in tests/data/broken-events covers the mistakes people make; this covers the
ones nobody thought of. Whatever JSON an editor puts in a field, validation must not
raise, and must either load every feature or name the file, the feature and the field.
"""

from __future__ import annotations

import json
import shutil

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from almaty_map.geodata.dataset import inspect_dataset
from almaty_map.geodata.model import EVENT_FIELDS
from tests.conftest import DATA

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["2022-01-06", "2022-01-06T18:00:00+06:00", "exact", "protest", ""]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
geometries = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Point", "Polygon", "LineString", "Nope"])},
        optional={"coordinates": json_values},
    ),
    st.builds(
        lambda x, y: {"type": "Point", "coordinates": [x, y]},
        st.floats(allow_nan=False, allow_infinity=False),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    index=st.integers(0, 2),
    field=st.sampled_from((*EVENT_FIELDS, "geometry")),
    value=st.one_of(json_values, geometries),
)
# Found by this test: an empty point was reported, then crashed the compacting step.
@example(index=1, field="geometry", value={"type": "Point", "coordinates": []})
def test_any_value_in_any_field_is_reported_or_loads_whole(tmp_path_factory, index, field, value):
    folder = tmp_path_factory.mktemp("dataset")
    shutil.copytree(DATA / "base", folder, dirs_exist_ok=True)
    path = folder / "events.geojson"
    doc = json.loads(path.read_text())
    feature = doc["features"][index]
    if field == "geometry":
        feature["geometry"] = value
    else:
        feature["properties"][field] = value
    path.write_text(json.dumps(doc, allow_nan=False))

    dataset, problems = inspect_dataset(folder)

    errors = [p for p in problems if p.severity == "error"]
    if dataset is None:
        assert errors, problems
        for problem in errors:
            assert problem.file.endswith("events.geojson") or problem.file.endswith(".toml")
            assert problem.message and str(problem)
        assert any(p.index is not None for p in errors), [str(p) for p in errors]
    else:
        assert not errors
        assert len(dataset.events) == len(doc["features"])
