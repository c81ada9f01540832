"""Importers: calls from the recorders a team already pays for (Gong, Fathom,
Grain, Granola, Zoom, Fireflies) and callvault's own JSON lines, turned into
recordings with transcripts."""
