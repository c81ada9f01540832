"""callvault: call recordings and transcripts behind Pylon's call-recordings API."""

__version__ = "0.1.0"
