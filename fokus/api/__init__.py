"""The one library API that the CLI and the TUI both call: one module per use case.

Each function takes a SQLAlchemy session that the caller opened (``with project.begin() as session``), does one
thing, and returns a plain report; nothing here prints or asks questions, so the same call serves a command, a TUI
worker and a test. Modules: ``messages`` (import; with ``messages_state``, what one import works with,
``messages_edits``, edited messages, and ``messages_placement``, where each new message goes), ``reanchor`` (codings
follow an edited message; ``reanchor_spans`` is the text diff under it), ``cases``, ``codebook`` and
``codebook_edit`` (loading, and surgery), ``codings`` (from files, and as export rows), ``coding_actions`` (code,
recode, accept, reject, undo), ``memos``, ``good_practice`` (passages marked as worth sharing, and their board),
``browse`` (threads and one thread), ``review`` (the suggestion queue), ``tagging`` (sentences and rule
suggestions), ``learning`` (train; ``suggesting`` writes what a model suggests; ``combining`` makes the rules',
the model's and the thread's evidence (``evidence``) one calibrated confidence), ``rule_proposals`` (trigger words
for the rules, learnt from the coding, and adding them to the codebook file), ``evaluation`` (the rules against
the researchers; ``suggestion_quality``, every source cross-validated by thread), ``exports``, ``listing``,
``status``, ``demo``, ``demo_pages`` (the demo's page data, generated from a seed), ``pages`` (page feeds and the
pages file in, and the pages listed), ``page_scores`` (the pages' scores, ranks and top N written to their cases,
the score run as provenance), ``pages_view`` (what the TUI's pages screens read: the ranking, a page's posts a
screenful at a time), ``survey`` (a survey's closed items as case attributes, its open answers as
messages), ``step_summary`` (what an undone step was) and ``workplace`` (who codes and where they left off).
The building blocks these share with the layers below (settings, the event log, participants, coders, times) are
in :mod:`fokus.domain`.
"""
