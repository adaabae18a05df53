"""Parsing features files into RawTables, one module per format; nothing here checks values.

``files.read_features`` picks the reader; ``table`` holds the shapes every reader produces
and the only thing the checks take from here. (Import the modules directly: this file stays
empty so that importing the shared types does not load GDAL.)
"""
