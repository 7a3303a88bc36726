"""Survey exports (phase 2 of the study): one row per respondent, one column per item, read into plain records.

Modules: ``table`` (the file's bytes to a header and rows, and which tool wrote it: Nettskjema, Questback or
SurveyXact, SurveyMonkey), ``scales`` (Likert labels and numbers to typed values), ``items`` (columns to the case
column, closed items, multiple choices and open questions: :func:`fokus.importers.survey.items.parse_survey`),
``mapping`` (the optional ``--map`` YAML file) and ``messages`` (the open answers as message records, for the import
path the focus group's exports take). Pure: no database, no printing.
"""
