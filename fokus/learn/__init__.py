"""scikit-learn models trained on the researchers' own coding, and topic discovery.

Machines only suggest here too: a model's or a topic's proposals are codings with status ``suggested`` that a
researcher accepts or rejects in the review queue.
"""
