"""Debates and threaded comments, and their moderation: reports by citizens, hiding with a
stated reason shown to the author, appeal."""
