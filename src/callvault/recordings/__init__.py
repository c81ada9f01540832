"""Call recordings, their transcripts and their custom field values."""
