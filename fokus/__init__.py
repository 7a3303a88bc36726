"""fokus: qualitative research on focus groups held in closed Facebook groups."""

__version__ = "0.1.0"
