"""Reloading the served dataset when an editor changes its files (`serve --watch`).

A thread polls the folder's files (name, size, modification time). When they change and
then stay the same for one more interval (an editor may write in several steps), the
dataset is loaded again in the background. Requests keep being answered from the old
dataset until the new one is complete and valid; a change that does not validate is logged
and noticed on the reader's page, and the last good version stays up.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from almaty_map.web.store import DatasetStore

log = logging.getLogger("almaty_map.watch")


def folder_state(folder: Path) -> tuple:
    """What identifies the folder's current files; any edit changes it."""
    entries = []
    for path in sorted(folder.iterdir()):
        if path.is_file():
            stat = path.stat()
            entries.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


class FolderWatcher(threading.Thread):
    def __init__(self, store: DatasetStore, interval: float):
        super().__init__(name="almaty-map-watch", daemon=True)
        self.store = store
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        seen = folder_state(Path(self.store.folder))
        while not self.stopped.wait(self.interval):
            try:
                now = folder_state(Path(self.store.folder))
            except OSError:
                continue  # the folder is being replaced; look again next time
            if now == seen:
                continue
            if self.stopped.wait(self.interval) or folder_state(Path(self.store.folder)) != now:
                continue  # still changing: wait until it settles
            seen = now
            self.reload()

    def reload(self) -> None:
        if self.store.reload():
            log.info("Reloaded %s: %d events", self.store.folder, len(self.store.dataset.events))
            return
        problems = self.store.last_problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        log.warning(
            "The files in %s have %d error(s); still serving the last good dataset:\n%s",
            self.store.folder,
            len(problems),
            shown,
        )

    def stop(self) -> None:
        self.stopped.set()
