"""Translations of the app's text, one module per language."""
