"""Alembic's environment and the schema's migrations, shipped inside the package so an
installed wheel can run `almaty-map db upgrade`. A new revision is a new module in
``versions/`` written after 0001's pattern (``down_revision`` naming the one before), and
``database/schema.py`` changed to match: a test compares the two."""
