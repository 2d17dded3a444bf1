from __future__ import annotations

from ninja import Schema


class MeOut(Schema):
    id: str
    username: str
    name: str
    role: str
    organization: str | None
    languages: list[str]
    teams: list[str]
