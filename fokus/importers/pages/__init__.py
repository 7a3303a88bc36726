"""Importers for the pages followed in phase 1 of a study: public page feeds and the pages file (pure parsers).

Page data is measured, not coded, so it is read into its own records and stored apart from the focus group's
messages. Modules:
- `records`: the plain records every page-data parser produces;
- `detect`: which format a file is, by its content (the formats' registry), and files and folders read as feeds;
- `graph_feed`: Graph API page feeds (JSON), as researchers archive them;
- `facepager`: Facepager's CSV exports of Graph API page feeds (its tree of seeds, posts, comments and replies);
- `crowdtangle`: CrowdTangle's CSV exports of page posts (counts only: CrowdTangle never held comments);
- `fourcat`: 4CAT's CSV of Facebook posts captured with Zeeschuimer (no counts);
- `mcl`: Meta Content Library posts and comments, CSV or JSON lines;
- `rows`: the tables those four are read from (CSV or JSON lines), with each cell's line and column;
- `listing`: the pages file (CSV): which page is which municipality's, its followers and population.
"""
