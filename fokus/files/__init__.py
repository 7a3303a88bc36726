"""Readers and writers of the files researchers write by hand or exchange: codebooks, case tables, codings.

Like the importers, these are pure: file in, plain records out (or records in, file out); the api layer stores them.
"""
