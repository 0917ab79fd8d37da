"""Ventanilla: Citizen Relationship Management for public administrations."""

__version__ = "0.1.0"
