"""Helpers to run the garden."""


def water(bed: str) -> str:
    """Water one bed of the garden and say which."""
    return f"watered {bed}"
