"""Chaldean compound numbers (10-52): our own short notes.

Every compound is read first through its reduced number (the Vedic/Chaldean 1-9 reading). The
compounds below have a well-known character of their own in the Chaldean tradition; we note it in
our own words with a tone (favourable, mixed or cautionary) so an app can colour it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from services.chart.domain.meanings._types import Meaning
from services.chart.domain.meanings.vedic import planet_ruler

Tone = Literal["favourable", "mixed", "cautionary"]
COMPOUND_RANGE = range(10, 53)


@dataclass(frozen=True, slots=True)
class CompoundNote:
    number: int
    tone: Tone
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "tone": self.tone, "note": self.note}


_NOTES = (
    CompoundNote(10, "favourable", "A turning wheel: fortunes rise and fall, and a good name keeps turning up."),
    CompoundNote(11, "cautionary", "Trials and hidden opposition that test faith; steadiness wins through."),
    CompoundNote(12, "cautionary", "Giving up your own interests for others; guard against being used."),
    CompoundNote(13, "mixed", "Upheaval and renewal: old forms end so new ones can begin. Not a number of bad luck."),
    CompoundNote(14, "mixed", "Movement, trade and risk; success with people, care with speculation."),
    CompoundNote(15, "favourable", "Personal magnetism and persuasive charm that draws gifts and favours."),
    CompoundNote(16, "cautionary", "Sudden reversals of plans; build on humility rather than pride."),
    CompoundNote(17, "favourable", "Hope that endures: rising above setbacks to be remembered well."),
    CompoundNote(18, "cautionary", "Conflict and deception around you; keep your own dealings clean."),
    CompoundNote(19, "favourable", "Bright success, honour and happiness: one of the most fortunate compounds."),
    CompoundNote(21, "favourable", "Victory after a long effort; recognition arrives in the end."),
    CompoundNote(23, "favourable", "Help from people in high places and success in your plans."),
    CompoundNote(24, "favourable", "Support and affection from influential people; good for partnerships."),
    CompoundNote(26, "cautionary", "Warnings about partnerships and speculation; choose allies carefully."),
    CompoundNote(27, "favourable", "Authority earned through creative and intellectual work."),
    CompoundNote(28, "mixed", "Early promise with a risk of loss through trusting others too readily."),
    CompoundNote(29, "cautionary", "Uncertainty and unreliable friends; relationships need clear eyes."),
    CompoundNote(32, "favourable", "Magnetic and well-connected; plans succeed when you keep your own counsel."),
    CompoundNote(33, "favourable", "Fortunate support from others, much as with 24."),
    CompoundNote(37, "favourable", "Good friendships and love, and luck through partnerships."),
    CompoundNote(41, "favourable", "Success in plans you keep to yourself until they are ready."),
    CompoundNote(42, "favourable", "Goodwill from others and steady fortune."),
    CompoundNote(46, "favourable", "Loyal friends and happy partnerships."),
    CompoundNote(48, "cautionary", "Be wary of partners and of ventures built on borrowed hope."),
)

COMPOUND_NOTES = {note.number: note for note in _NOTES}


def compound_note(compound: int) -> CompoundNote | None:
    """The note for a well-known compound, or None when the reduced number says it all."""
    return COMPOUND_NOTES.get(compound)


def compound_meaning(compound: int, reduced: int) -> Meaning:
    """A compound's reading: its reduced number's reading, described as reached through the compound."""
    base = planet_ruler(reduced).meaning
    note = compound_note(compound)
    description = f"Compound {compound} reduces to {reduced}. {base.description}"
    if note is not None:
        description = f"{description} As a compound: {note.note}"
    return Meaning(compound, base.title, base.keywords, description, base.strengths, base.challenges)
