"""Each person's own data, from the chat: ``my data`` (a file) and ``forget me``."""
