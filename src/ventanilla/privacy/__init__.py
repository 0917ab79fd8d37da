"""The data subject's rights: the export of everything held, erasure and the disclosure log."""
