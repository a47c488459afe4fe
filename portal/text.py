"""Text at the boundary, the same way in every app."""


def clean_text(value) -> str:
    """Strip NUL bytes (PostgreSQL refuses them) and surrounding whitespace."""
    return str(value or "").replace("\x00", "").strip()
