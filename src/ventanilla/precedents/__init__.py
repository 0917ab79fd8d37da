"""Similar past cases: the resolved cases of a service that read most like a case in hand, and how
they were resolved (case-based reasoning for staff)."""
