"""The editors' desk without the web: accounts, the audit log and revisions, each as
functions on a SQLAlchemy Connection, run inside the caller's transaction."""
