"""Alembic's environment and the schema's migrations, shipped inside the package so an
installed wheel can run `almaty-map db upgrade`."""
