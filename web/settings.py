"""Settings with their defaults and a line of help each.

``create_app`` applies them in order: these defaults, then ``ALMATY_MAP_*`` environment
variables, then the mapping a caller passes (tests, the CLI's options).
"""

from __future__ import annotations

from dataclasses import dataclass

from almaty_map.geodata.bundled import BUNDLED


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS = (
    Setting("DATA_PATH", str(BUNDLED), "Dataset folder to serve."),
    Setting("MAX_FILE_MB", 512, "Largest events or places file accepted, in MiB."),
    Setting("FRAME_ANCESTORS", "", "Space-separated origins allowed to embed /map in a frame."),
    Setting("RENDER_CACHE_MB", 256, "Memory for rendered maps and exports, in MiB."),
    Setting("CARTO_KEY", "", "CARTO API key, to offer CARTO's light base map."),
    Setting("WATCH", False, "Reload the dataset when its files change."),
    Setting("WATCH_INTERVAL", 1.0, "Seconds between checks for changed files when watching."),
)


def defaults() -> dict[str, object]:
    return {s.name: s.default for s in SETTINGS}
