"""Events in, maps out: Folium layers, event cards, the map key, time control, standalone export.

``build_map`` makes the Folium figure for a filtered dataset; ``render_page`` turns it into
one self-contained HTML page (which the command line writes with ``cli.outfile``).
"""
