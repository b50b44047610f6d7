"""Numbers as a report prints them."""


def percent(part: float, whole: float = 1.0, *, decimals: int = 1) -> str:
    """``part`` of ``whole`` as a percentage ("12.5%"); "n/a" when the whole is zero."""
    if not whole:
        return "n/a"
    return f"{part / whole * 100:.{decimals}f}%"
