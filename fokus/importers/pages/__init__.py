"""Importers for the pages followed in phase 1 of a study: public page feeds and the pages file (pure parsers).

Page data is measured, not coded, so it is read into its own records and stored apart from the focus group's
messages. Modules:
- `records`: the plain records every page-data parser produces.
"""
