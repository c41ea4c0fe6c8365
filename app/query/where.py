"""A list's WHERE conditions, each kept in the forms the plans read it in."""

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement


class Kind(StrEnum):
    """What a condition is about, where a plan treats it apart from the others."""

    PLAIN = "plain"
    # Links to participants: a walk reads one participant's links instead of checking them.
    PARTICIPANT = "participant"
    # Full-text matches of `q`: counted and ranked on the text index alone.
    TEXT = "text"


@dataclass(frozen=True)
class Condition:
    """One condition: as a set of matches to collect, and as a check made row by row.

    Both forms select the same rows. `checked` (EXISTS, or a key lookup for text) is the
    better one when rows are read in page order; `collected` (IN) when matches come first.
    """

    collected: ColumnElement[bool]
    checked: ColumnElement[bool]
    kind: Kind = Kind.PLAIN
    # For a participant condition, the participants whose links it reads.
    participants: tuple[uuid.UUID, ...] = ()

    @classmethod
    def plain(cls, condition: ColumnElement[bool]) -> "Condition":
        """A condition read the same way by every plan."""
        return cls(condition, condition)


@dataclass(frozen=True)
class Where:
    """Every condition of a list, in the order the filters are declared."""

    conditions: tuple[Condition, ...] = ()

    def collected(self) -> list[ColumnElement[bool]]:
        """The conditions in the form that collects the matches first."""
        return [c.collected for c in self.conditions]

    def checked(self) -> list[ColumnElement[bool]]:
        """The conditions in the form that checks rows one by one (read in page order)."""
        return [c.checked for c in self.conditions]

    def unsearched(self) -> "Where":
        """The conditions other than `q`'s."""
        return Where(tuple(c for c in self.conditions if c.kind != Kind.TEXT))

    def without_participant(self, participant_id: uuid.UUID) -> "Where":
        """The conditions other than those on `participant_id`'s links (a walk reads them)."""
        return Where(tuple(c for c in self.conditions if participant_id not in c.participants))

    def has(self, kind: Kind) -> bool:
        """Whether any condition is of `kind`."""
        return any(c.kind == kind for c in self.conditions)
