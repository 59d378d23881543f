"""What a person may ask about their own data (``my data``)."""
