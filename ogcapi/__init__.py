"""OGC API - Features (Parts 1, 2 and 3: core, CRS, CQL2 filters) over a Dataset, as plain
functions.

Functions take plain values (the dataset, parsed parameters, the base URL) and return
documents or bytes; the Flask views in ``web/ogc.py`` only turn them into responses, in the
manner of pygeoapi's API layer.
"""
