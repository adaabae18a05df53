"""The editors' desk: accounts, revisions, review and publishing, without Flask."""
