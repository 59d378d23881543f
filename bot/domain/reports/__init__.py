"""Program reports as rules: which figures a report holds, and what privacy hides of them.

- ``privacy``: the thresholds (per program, raised only), primary and secondary
  suppression of a breakdown, refusing a filter that leaves a small remainder, and the
  batches answers enter the figures in.
- ``figures``: the figures themselves, computed from plain facts (storage gathers them).
"""
