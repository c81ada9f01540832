"""Search over call recordings: the filter language, keyset pages, indexes."""
