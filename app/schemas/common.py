"""Field types and page models shared by every resource."""

import datetime as dt
import re
import uuid
from functools import lru_cache
from typing import Annotated, Any, Generic, TypeVar

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from app.dates import DateValue, EDTFString

__all__ = ["DateValue", "EDTFString"]

T = TypeVar("T")

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
IDENTIFIER_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "wikidata": (re.compile(r"^Q[1-9][0-9]{0,11}$"), "a Wikidata item id such as Q7747"),
    # CAMEO writes ethnic codes in lower case (`sco`, `scoGOV`): case is part of the code.
    "cameo": (re.compile(r"^[A-Za-z0-9]{3,30}$"), "a CAMEO actor code such as RUSGOV"),
    "viaf": (re.compile(r"^[1-9][0-9]{0,21}$"), "a VIAF number"),
    "isni": (re.compile(r"^[0-9]{15}[0-9X]$"), "a 16-character ISNI"),
    "geonames": (re.compile(r"^[1-9][0-9]{0,11}$"), "a GeoNames id"),
    "acled": (re.compile(r"^[A-Za-z0-9_-]{1,64}$"), "an ACLED actor or event id"),
}
EVENT_IDENTIFIER_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "gdelt": (re.compile(r"^[1-9][0-9]{0,19}$"), "a GDELT GLOBALEVENTID such as 864104301"),
    "acled": IDENTIFIER_FORMATS["acled"],
    "wikidata": IDENTIFIER_FORMATS["wikidata"],
    "ucdp": (re.compile(r"^[1-9][0-9]{0,19}$"), "a UCDP GED event id"),
}
# Kosovo has no ISO 3166-1 code yet; XK (XKX) is the user-assigned code everyone uses.
_USER_ASSIGNED = {"XK": "XK", "XKX": "XK"}

MATCH_DESCRIPTION = (
    "With `q`: a passage where the words matched, as HTML: the record's text is escaped "
    "(`<` is `&lt;`) and only the matched words are wrapped in `<mark>`…`</mark>`."
)


def _country(value: str) -> str:
    code = value.strip().upper()
    if code in _USER_ASSIGNED:
        return _USER_ASSIGNED[code]
    found = _alpha_2(code)
    if found is None:
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 or alpha-3 country code")
    return found


@lru_cache(maxsize=1024)
def _alpha_2(code: str) -> str | None:
    """The alpha-2 code of a country's alpha-2 or alpha-3 code (a bulk import asks again and
    again; pycountry takes a lock for each look-up)."""
    found = None
    if len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        found = pycountry.countries.get(alpha_3=code)
    return None if found is None else str(found.alpha_2)


def _language(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise ValueError(f"'{value}' is not a BCP 47 language tag such as en or pt-BR")
    return value


def _not_uuid(value: str) -> str:
    # A path segment that parses as a UUID is looked up as an id, so such a slug is unreachable.
    try:
        uuid.UUID(value)
    except ValueError:
        return value
    raise ValueError(f"'{value}' reads as a UUID; a slug must not, or it cannot be looked up")


def check_identifiers(
    value: dict[str, str], formats: dict[str, tuple[re.Pattern[str], str]] = IDENTIFIER_FORMATS
) -> dict[str, str]:
    """`value` if every scheme is known to `formats` and every value has its scheme's form."""
    for scheme, ident in value.items():
        if scheme not in formats:
            known = ", ".join(sorted(formats))
            raise ValueError(f"unknown identifier scheme '{scheme}' (known: {known})")
        pattern, expected = formats[scheme]
        if not pattern.match(ident):
            raise ValueError(f"{scheme} identifier '{ident}' is malformed: expected {expected}")
    return value


def _identifier_ref(value: str) -> str:
    scheme, sep, ident = value.partition(":")
    if not sep:
        raise ValueError(f"'{value}' is not `scheme:value`, e.g. wikidata:Q7747")
    check_identifiers({scheme: ident})
    return value


def _event_identifier_ref(value: str) -> str:
    scheme, sep, ident = value.partition(":")
    if not sep:
        raise ValueError(f"'{value}' is not `scheme:value`, e.g. gdelt:864104301")
    check_identifiers({scheme: ident}, EVENT_IDENTIFIER_FORMATS)
    return value


CountryCode = Annotated[
    str,
    Field(
        min_length=2,
        max_length=3,
        description="ISO 3166-1 alpha-2 country code; alpha-3 is accepted and normalised.",
        examples=["RU"],
    ),
    AfterValidator(_country),
]
LanguageTag = Annotated[
    str,
    Field(max_length=35, description="BCP 47 language tag.", examples=["en"]),
    AfterValidator(_language),
]
Identifiers = Annotated[
    dict[str, str],
    Field(
        description="External identifiers by scheme: " + ", ".join(sorted(IDENTIFIER_FORMATS)),
        examples=[{"wikidata": "Q7747", "cameo": "RUSGOV"}],
    ),
    AfterValidator(check_identifiers),
]
EventIdentifiers = Annotated[
    dict[str, str],
    Field(
        description="External identifiers by scheme, each unique: "
        + ", ".join(sorted(EVENT_IDENTIFIER_FORMATS)),
        examples=[{"gdelt": "864104301"}],
    ),
    AfterValidator(lambda value: check_identifiers(value, EVENT_IDENTIFIER_FORMATS)),
]
EventIdentifierRef = Annotated[
    str,
    Field(
        min_length=3,
        max_length=240,
        description="An event identifier as `scheme:value`; schemes: "
        + ", ".join(sorted(EVENT_IDENTIFIER_FORMATS)),
        examples=["gdelt:864104301"],
    ),
    AfterValidator(_event_identifier_ref),
]
IdentifierRef = Annotated[
    str,
    Field(
        min_length=3,
        max_length=240,
        description="An external identifier as `scheme:value`; schemes: "
        + ", ".join(sorted(IDENTIFIER_FORMATS)),
        examples=["wikidata:Q7747"],
    ),
    AfterValidator(_identifier_ref),
]
Slug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=120,
        pattern=_SLUG,
        description="Unique human-readable id: lowercase letters, digits and single hyphens "
        "(never a UUID, which would be looked up as an id).",
    ),
    AfterValidator(_not_uuid),
]
OptionalSlug = Annotated[
    Slug | None,
    Field(
        description="Unique human-readable id; omitted, one is made from the title or name "
        "(with a short suffix when that is taken) and kept when the title changes."
    ),
]
Reference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=120,
        description="A record's UUID or its slug.",
    ),
]


def _iso_timestamp(value: Any) -> Any:
    # Pydantic would also take a number as Unix seconds; the documented format is ISO 8601.
    if isinstance(value, str) and not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError(f"'{value}' is not an ISO 8601 date-time such as 2019-09-12T10:00:00Z")
    return value


Timestamp = Annotated[dt.datetime, BeforeValidator(_iso_timestamp)]


class PublicModel(BaseModel):
    """Base of response models: built from trusted data."""

    model_config = ConfigDict(from_attributes=True)


def _holds_nul(value: Any) -> bool:
    # A walk with a list, not recursion: JSON nested a thousand deep must not overflow the stack.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
    return False


_NUL_MESSAGE = "must not contain the NUL character (\\u0000)"
# Values that cannot hold a string: checked by their type alone (every field of every line
# of a bulk import passes here).
_NO_STRINGS = frozenset({int, float, bool, type(None)})


def no_nul(value: T) -> T:
    """`value` unless a string in it holds a NUL character, which PostgreSQL cannot store."""
    kind = type(value)
    if kind is str:
        if "\x00" in value:  # type: ignore[operator]
            raise ValueError(_NUL_MESSAGE)
        return value
    if kind in _NO_STRINGS or not _holds_nul(value):
        return value
    raise ValueError(_NUL_MESSAGE)


# Validation context of data whose reader found no NUL in its text (a bulk import's line): the
# check of every value is skipped. A line holding one is validated without it, for its error.
NUL_FREE: dict[str, bool] = {"nul_free": True}


def _no_nul_field(value: T, info: ValidationInfo) -> T:
    if info.context is not None and info.context.get("nul_free"):
        return value
    return no_nul(value)


class RequestModel(BaseModel):
    """Base of every body and query model: no string anywhere in it may hold a NUL."""

    # One check for every field, so that each backend answers a NUL with the same 422.
    _no_nul = field_validator("*", mode="before")(_no_nul_field)


class InputModel(RequestModel):
    """Base of request bodies: unknown fields are an error, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RecordMeta(PublicModel):
    """Fields every stored record returns."""

    id: uuid.UUID = Field(description="Stable UUID of the record.")
    created_at: dt.datetime = Field(description="When the record was created (UTC).")
    updated_at: dt.datetime = Field(description="When the record last changed (UTC).")
    version: int = Field(description="Incremented by every write; the record's ETag.")
    created_by: uuid.UUID | None = Field(
        description="Id of the API key that created the record; null if written without one."
    )
    updated_by: uuid.UUID | None = Field(
        description="Id of the API key that last wrote the record; null if written without one."
    )


class Page(BaseModel, Generic[T]):
    """One page of a list, with the cursor of the next page."""

    items: list[T] = Field(description="The records of this page.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
    total: int | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="How many records match in all; only with `include_total=true`.",
    )

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        """`EventPage` for `Page[EventPublic]`: the name the OpenAPI document gives the type."""
        return f"{params[0].__name__.removesuffix('Public')}Page"


class FieldError(BaseModel):
    """One invalid field of a request."""

    loc: list[str | int] = Field(
        description="Where the field is: body, query or path, then its name."
    )
    field: str = Field(description="The field's dotted name within its location.")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="A machine-readable error kind.")


class Problem(BaseModel):
    """An RFC 9457 problem document, served as application/problem+json."""

    type: str = Field(description="URI reference identifying the problem type.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    instance: str = Field(description="The path of the request that failed.")
    errors: list[FieldError] | None = Field(
        default=None, description="Each invalid field, for validation errors."
    )


class PageQuery(RequestModel):
    """Paging parameters every list endpoint accepts."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500, description="Page size, 1 to 500.")
    cursor: str | None = Field(
        default=None, max_length=500, description="Opaque cursor from a previous page."
    )


class ExportQuery(RequestModel):
    """The `format=` parameter of the lists that can be exported."""

    format: str | None = Field(
        default=None,
        max_length=20,
        pattern=r"^[a-z0-9-]+$",
        description="Answer in this format instead of a JSON page (wins over `Accept`): `json` "
        "(the default), or an export (`csv`, `geojson`, `ics`, `jsonld`, `ndjson`; the 200 "
        "response lists those this list offers). An export streams every match, page after "
        "page, from `cursor` if given; `limit` and `include_total` then set nothing and `fields` "
        "is refused.",
        examples=["csv"],
    )


class ShapeQuery(PageQuery):
    """Paging plus what every list accepts: totals and field selection."""

    include_total: bool = Field(
        default=False, description="Also count every matching record (`total`); costs a query."
    )
    fields: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^[a-z_]+(,[a-z_]+)*$",
        description="Comma-separated fields to return, e.g. `slug,title,start`; `id` is always "
        "included.",
    )

    def field_set(self) -> set[str] | None:
        """The fields asked for, with `id`; None for all."""
        return None if self.fields is None else {*self.fields.split(","), "id"}


class ListQuery(ExportQuery, ShapeQuery):
    """Paging plus what every top-level list accepts: totals, field selection and formats."""


def drop_none(data: dict[str, Any]) -> dict[str, Any]:
    """The entries of `data` whose value is not None."""
    return {k: v for k, v in data.items() if v is not None}
