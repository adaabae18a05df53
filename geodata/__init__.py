"""Events in, validated GeoDataFrames out: loading, checking, slicing and filtering.

This package knows nothing of Flask or Folium; everything downstream reads a Dataset.
"""

from geodata.dataset import BUNDLED, Dataset, inspect_dataset, load_dataset
from geodata.errors import DataError, Problem
from geodata.filtering import EventFilter, FilterError, make_filter, parse_bbox, select
from geodata.formats import events_csv, events_geojson, geojson_bytes
from geodata.metadata import Category, Metadata, Period
from geodata.timeslices import SLICE_KINDS, Slice, SlicingError, make_slices, membership

__all__ = [
    "BUNDLED",
    "SLICE_KINDS",
    "Category",
    "DataError",
    "Dataset",
    "EventFilter",
    "FilterError",
    "Metadata",
    "Period",
    "Problem",
    "Slice",
    "SlicingError",
    "events_csv",
    "events_geojson",
    "geojson_bytes",
    "inspect_dataset",
    "load_dataset",
    "make_filter",
    "make_slices",
    "membership",
    "parse_bbox",
    "select",
]
