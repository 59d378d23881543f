"""Program reports: ``admin report`` in chat, the text and CSV of ``tandem report``.

- ``words``: each figure and each hidden cell in the reader's words, one function for
  the card, the text and the CSV (so that they hide exactly the same cells).
- ``card``: the chat card. ``files``: the text and the CSV.
- ``feature``: the command, its options and the program picker.
"""
