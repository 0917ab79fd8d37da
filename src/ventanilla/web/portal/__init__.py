"""The citizen portal: the public pages, and the signed-in citizen's data, consents and cases."""
