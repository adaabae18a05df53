"""Events in, validated GeoDataFrames out: loading, checking, slicing and filtering.

This package knows nothing of Flask or Folium; everything downstream reads a Dataset.
"""
