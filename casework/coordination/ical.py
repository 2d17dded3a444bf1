"""A small iCalendar (RFC 5545) writer for the calendar feed.

Only what a published, read-only feed needs: a VCALENDAR of VEVENTs. Text values are escaped
(§3.3.11), lines end in CRLF and are folded at 75 octets without splitting a UTF-8 sequence
(§3.1), date-times are UTC with the ``Z`` suffix (§3.3.5 form #2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//casework//Appointments//EN"


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets (the continuation's leading
    space counts), never cutting inside a UTF-8 sequence; joined with CRLF + space."""
    chunks: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space of a continuation line is one octet
        current += char
        size += width
    chunks.append(current)
    return (CRLF + " ").join(chunks)


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Event:
    uid: str
    stamp: datetime
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED (RFC 5545 §3.8.1.11)
    sequence: int = 0

    def lines(self) -> list[str]:
        lines = [
            "BEGIN:VEVENT",
            f"UID:{escape_text(self.uid)}",
            f"DTSTAMP:{utc(self.stamp)}",
            f"DTSTART:{utc(self.start)}",
            f"DTEND:{utc(self.end)}",
            f"SEQUENCE:{int(self.sequence)}",
            f"STATUS:{self.status}",
            f"SUMMARY:{escape_text(self.summary)}",
        ]
        if self.description:
            lines.append(f"DESCRIPTION:{escape_text(self.description)}")
        if self.location:
            lines.append(f"LOCATION:{escape_text(self.location)}")
        if self.url:
            # URL is a URI value, not TEXT: no escaping (RFC 5545 §3.8.4.6).
            lines.append(f"URL:{self.url}")
        lines.append("END:VEVENT")
        return lines


def calendar(*, name: str, events: Iterable[Event], prodid: str = PRODID) -> str:
    """The whole VCALENDAR as text with CRLF line ends (encode as UTF-8 to serve it)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines.extend(event.lines())
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
