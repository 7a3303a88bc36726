"""The building blocks every layer above shares, kept low beside the model so that no lower package reaches up for
them: nothing here imports another fokus package but ``fokus.model``, ``fokus.store``, ``fokus.errors`` and
``fokus.i18n``.

Modules: ``settings`` (every key a project stores; reading and writing them), ``events`` (the coding log that undo
reads), ``participants`` (pseudonymised participants and cases), ``origins`` (which rule or model a suggestion came
from), ``coders`` (coders by name; the machine coder), ``codes`` (codes fokus knows by path; a code's shown name),
``local_time`` (times as researchers see them), ``collation`` (Norwegian alphabetical order), ``chunks`` (id lists
cut to what one SQL statement may bind), ``passages`` (the coded passage: one type, one query) and ``excerpts`` (the
start of a passage as notifications quote it, cut at a word).
"""
