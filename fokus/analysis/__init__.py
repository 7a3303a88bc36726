"""Analysis of what the researchers coded: frequencies, co-occurrence, matrices, hypotheses, shared good practice,
inter-coder agreement, and the passages behind every figure.

Every analysis starts from one :class:`~fokus.analysis.frame.CodingFrame` (the codings in a scope, as NumPy columns)
and returns a report with tidy rows, JSON and Markdown (:mod:`fokus.analysis.report`), which the CLI prints and the
TUI's analysis screen shows.
"""
