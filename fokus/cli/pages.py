"""`fokus pages`: the public pages followed in phase 1 of a study, their metrics and scores.

The group only; its commands live beside it by what they do (`pages_import`: page data and the pages file in;
`pages_scores`: metrics per page, scores and the selection of the best) and are added here.
"""

from __future__ import annotations

import click

from fokus.cli.pages_import import pages_import, pages_list
from fokus.cli.pages_scores import metrics, score


@click.group("pages")
def pages_group() -> None:
    """Public pages followed in phase 1: import their posts, measure them, score and select the best."""


pages_group.add_command(pages_import)
pages_group.add_command(pages_list)
pages_group.add_command(metrics)
pages_group.add_command(score)
