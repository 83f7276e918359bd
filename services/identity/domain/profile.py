"""Profile rules that need no I/O."""


def chart_level(*, has_time: bool, has_location: bool) -> int:
    """1 date only, 2 date + place, 3 date + time, 4 date + time + place (the seed's chart levels)."""
    if has_time and has_location:
        return 4
    if has_time:
        return 3
    if has_location:
        return 2
    return 1
