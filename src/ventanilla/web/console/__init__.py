"""The staff console: search, the 360° view, cases, messages, the audit log and retention."""
