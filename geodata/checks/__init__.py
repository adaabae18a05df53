"""Checking RawTables: every problem found and named, and the columns that passed.

``events`` and ``places`` are the entry points; the other modules each check one kind of
field (ids, sources, geometry, the rest in ``fields``) with the toolkit in ``report`` and
``values``. From the readers they take only the shared types in ``readers.table``.
"""
