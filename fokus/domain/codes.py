"""Codes fokus itself knows by path, whatever else the codebook holds."""

from __future__ import annotations

GOOD_PRACTICE = "god-praksis"  # a passage marked as worth sharing; its memo holds the summary (fokus.api.memos)
