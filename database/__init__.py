"""The team database backend: PostgreSQL with PostGIS, behind the same pages, API and CLI."""
