"""The one library API that the CLI and the TUI both call.

Each function takes a SQLAlchemy session that the caller opened (``with project.begin() as session``), does one
thing, and returns a plain report; nothing here prints or asks questions, so the same call serves a command, a TUI
worker and a test. Modules: ``messages`` (import), ``cases``, ``codebook``, ``codings``, ``exports``, ``listing``,
``status``, ``demo``, ``settings``, ``events`` (the coding log), ``participants`` (pseudonymisation).
"""
