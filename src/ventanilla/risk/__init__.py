"""Deadline risk: a decision tree, trained every night on the cases whose outcome is known, that
flags open cases likely to be answered after their due date, and says why in rules a supervisor
can read. It learns from what is known when a case opens, never from a person's data."""
