"""The Flask side: settings, the dataset store, views and the command line."""
