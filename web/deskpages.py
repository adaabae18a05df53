"""The desk's editing pages: the event list, the edit form, review, history and import
(views on web.desk's blueprint)."""
