"""The small shared kernel: errors, times, database plumbing, request context."""
