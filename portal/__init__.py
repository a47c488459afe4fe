"""Shared core: accounts, roles, the improvement plan, and the small helpers every app uses.

Imports no other app of this project (enforced by import-linter, see pyproject.toml)."""
