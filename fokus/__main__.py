"""`python -m fokus` is the `fokus` command."""

from fokus.cli import main

main()
