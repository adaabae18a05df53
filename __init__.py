"""almaty-map: a source-grounded map of events, and a tool for mapping your own event data.

The checkout's root is the ``almaty_map`` package (see ``[tool.setuptools]`` in
pyproject.toml), so an installed copy keeps every module under one unambiguous name:
``almaty_map.geodata``, ``almaty_map.web``, ``almaty_map.app``.
"""
