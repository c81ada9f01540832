"""Rate limits per organization and operation, shared by every server process."""
