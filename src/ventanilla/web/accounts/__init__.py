"""Staff sign-in: password, second factor, recovery codes, password change, and the sign-in log."""
