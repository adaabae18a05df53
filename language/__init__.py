"""The interface language: gettext catalogues, worded dates and the map's UI strings.

The served pages, the API's HTML views, the map and the standalone export all read their
text from here, so one translation covers every place a reader sees.
"""
