"""The Textual TUI: where researchers read threads, code, and review suggestions.

A thin layer over ``fokus.api``: every keypress that changes something is one short transaction, written at once,
so nothing ever needs saving and a killed terminal loses nothing.
"""
