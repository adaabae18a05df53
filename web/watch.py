"""Reloading the served dataset when an editor changes its files (`serve --watch`).

A thread polls the folder's files (name, kind, size, modification time). When they change
and then stay the same for one more interval (an editor may write in several steps), the
dataset is loaded again in the background. Requests keep being answered from the old
dataset until the new one is complete and valid; a change that does not validate is logged
and noticed on the reader's page, and the last good version stays up.

Whatever happens in a round (a file that cannot be read, a fault of ours), the thread logs
it, names the folder or file, and keeps watching: a watcher that died silently would leave
the site serving stale data with no one told.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from almaty_map.geodata.readers.files import is_editor_file
from almaty_map.web.store import DatasetStore

log = logging.getLogger("almaty_map.watch")

State = tuple[tuple[str, object], ...]


def folder_state(folder: Path) -> State:
    """What identifies the folder's current files; any edit changes it. Editors' backup and
    swap files are left out (they change while a file is edited, not when it is saved);
    an entry that cannot be looked at is kept as such, so that fixing it is a change too."""
    entries: list[tuple[str, object]] = []
    with os.scandir(folder) as scan:
        for entry in scan:
            if is_editor_file(entry.name):
                continue
            try:
                info = entry.stat()
            except OSError as exc:
                entries.append((entry.name, exc.strerror))
                continue
            entries.append((entry.name, (info.st_mode, info.st_size, info.st_mtime_ns)))
    return tuple(sorted(entries))


def look(folder: Path) -> State | None:
    """The folder's state, or None (logged) when it cannot be looked at just now."""
    try:
        return folder_state(Path(folder))
    except OSError as exc:
        log.warning("Cannot look at %s (%s); watching on", folder, exc.strerror)
        return None  # the folder is being replaced, say: look again next time


class FolderWatcher(threading.Thread):
    """Watches the store's folder from ``seen``: the state taken before the store loaded
    it, so an edit saved while the app was starting is not missed."""

    def __init__(self, store: DatasetStore, interval: float, seen: State | None):
        super().__init__(name="almaty-map-watch", daemon=True)
        self.store = store
        self.interval = interval
        self.seen = seen
        self.stopped = threading.Event()

    def run(self) -> None:
        seen = self.seen
        while not self.stopped.wait(self.interval):
            try:
                seen = self._round(seen)
            except Exception:
                log.exception(
                    "Watching %s failed this time; still serving the last good dataset, "
                    "and watching on",
                    self.store.folder,
                )

    def _state(self) -> State | None:
        return look(self.store.folder)

    def _round(self, seen: State | None) -> State | None:
        """One look at the folder; reload once a change has settled. Returns what was seen."""
        now = self._state()
        if now is None or now == seen:
            return seen
        if self.stopped.wait(self.interval) or self._state() != now:
            return seen  # still changing: wait until it settles
        self.reload()
        return now

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
            exc_info=self.store.last_failure,
        )

    def stop(self) -> None:
        self.stopped.set()
