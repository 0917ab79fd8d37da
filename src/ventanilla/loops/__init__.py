"""The loop between service and participation: a cluster of complaints turned into a
consultation, a proposal or a budget project; the people who complained told, then told the
outcome."""
