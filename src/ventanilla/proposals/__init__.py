"""Citizen proposals: supports from registered residents, the threshold that obliges an official
answer by a date, and the cases a proposal cites."""
