"""The desk's admin pages: accounts and the audit log (views on web.desk's blueprint)."""
