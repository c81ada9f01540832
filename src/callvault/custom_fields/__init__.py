"""Custom field definitions and the typed values recordings carry."""
