"""The editors' desk: accounts, revisions of events, their review and publication.

Nothing here knows Flask: each function takes a SQLAlchemy Connection and works in the
caller's transaction, so a page, a command and a test all use the same rules.
"""
