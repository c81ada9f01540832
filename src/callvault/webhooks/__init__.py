"""Webhooks: deliveries pushed by the recorders, verified, stored raw before
they are answered, then imported in the background."""
