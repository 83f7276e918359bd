"""Digit-sum reduction, master numbers and karmic debts: the arithmetic every system shares."""
from __future__ import annotations

MASTER_NUMBERS = frozenset({11, 22, 33})
KARMIC_DEBT_NUMBERS = frozenset({13, 14, 16, 19})


def reduction_steps(number: int) -> tuple[int, ...]:
    """Every value from ``number`` down to its reduction, e.g. 49 → (49, 13, 4); masters stop it."""
    if 0 <= number < _TABLED:
        return _STEPS[number]
    return _reduction_steps(number)


def _reduction_steps(number: int) -> tuple[int, ...]:
    if number < 0:
        raise ValueError(f"cannot reduce a negative number: {number}")
    steps = [number]
    while number > 9 and number not in MASTER_NUMBERS:
        total = 0
        while number:  # the digit sum, without a string per step (a profile reduces ~30 numbers)
            number, digit = divmod(number, 10)
            total += digit
        number = total
        steps.append(number)
    return tuple(steps)


# The paths of every total a name (200 letters of at most 9) or a day, month or pinnacle sum reaches, worked
# out once per process: a profile reduces ~13 numbers.
_TABLED = 2000
_STEPS = tuple(_reduction_steps(number) for number in range(_TABLED))


def reduce_number(number: int) -> int:
    """Digit-sum ``number`` to 1..9, keeping the master numbers 11, 22 and 33 (0 stays 0)."""
    return reduction_steps(number)[-1]


def digit_root(number: int) -> int:
    """Digit-sum ``number`` all the way to 1..9 (masters too: 11 → 2, 22 → 4, 33 → 6; 0 stays 0).

    Used where a rule needs one digit: challenges, pinnacle ages, Chaldean and Vedic numbers.
    """
    if number < 0:
        raise ValueError(f"cannot reduce a negative number: {number}")
    return 0 if number == 0 else (number - 1) % 9 + 1


def karmic_debt(steps: tuple[int, ...]) -> int | None:
    """The karmic debt (13, 14, 16 or 19) met on a reduction path, if any.

    A path meets at most one: after the first two-digit value every later value is below 19, and
    13, 14 and 16 reduce straight to a digit.
    """
    return next((value for value in steps if value in KARMIC_DEBT_NUMBERS), None)
