"""Programs: create, edit, open and close them, their versioned texts, the career ladder."""
