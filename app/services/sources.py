"""Sources: where records come from; a stored text is what quotes are checked against."""

import hashlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from app.dates import stored_date
from app.errors import Conflict
from app.models import Appearance, EventSource, Role, Source, Verification
from app.schemas.sources import SourceCreate, SourcePublic, SourceQuery, SourceUpdate
from app.services import crud, slugs

_REQUIRED = ("slug", "kind", "title")
_SCALARS = {
    "slug",
    "kind",
    "title",
    "author",
    "publisher",
    "url",
    "citation",
    "language",
    "credits",
}


def create_source(
    session: Session,
    data: SourceCreate,
    *,
    record_id: uuid.UUID | None = None,
    recorded_sha256: str | None = None,
) -> SourcePublic:
    """Store a new source; the sha256 of its text is computed from it.

    `recorded_sha256` is for the project's own loaders only (the API never takes one): the
    hash of a text that is not stored, which the loader has checked its quotes against.
    """
    record_id = record_id or uuid.uuid4()
    slug = data.slug or slugs.new_slug(session, Source, data.title, record_id)
    source = Source(id=record_id, **data.model_dump(include=_SCALARS) | {"slug": slug})
    _set_text(source, data.text)
    if data.text is None:
        source.sha256 = recorded_sha256
    crud.set_date(source, "published", data.published)
    session.add(source)
    crud.commit(session, f"source '{slug}'")
    return to_public([source])[0]


def read_source(session: Session, ref: str) -> SourcePublic:
    """One source by id or slug."""
    return to_public([crud.get_or_404(session, Source, ref)])[0]


def list_sources(
    session: Session,
    query: SourceQuery,
    shape: Callable[[Session, SourceQuery, list[Source]], list[Any]] | None = None,
) -> crud.Listed[Any]:
    """A page of sources in the order they were recorded; public models unless `shape` makes
    the page's records into something else."""
    scope = crud.query_scope("sources", query.model_dump(exclude={"limit", "cursor"}))
    stmt = select(Source)
    if query.updated_since:
        stmt = stmt.where(col(Source.updated_at) >= query.updated_since)
    found, next_cursor, total = crud.paginate(session, stmt, Source, query, scope)
    return (shape(session, query, found) if shape else to_public(found)), next_cursor, total


def update_source(
    session: Session, ref: str, data: SourceUpdate, *, if_match: str | None = None
) -> SourcePublic:
    """Change the fields sent; a new text must still hold every quote at its offsets."""
    source = crud.get_or_404(session, Source, ref)
    crud.check_if_match(source, if_match)
    changes = data.model_dump(exclude_unset=True)
    crud.reject_nulls(changes, _REQUIRED)
    for name in _SCALARS & changes.keys():
        setattr(source, name, changes[name])
    if "published" in changes:
        crud.set_date(source, "published", changes["published"])
    if "text" in changes:
        _check_recorded_sha256(source, changes["text"])
        _set_text(source, changes["text"])
        reverify_appearances(session, source.id, source.text, source.sha256)
    crud.touch(source)
    crud.commit(session, f"source '{source.slug}'")
    return to_public([source])[0]


def delete_source(session: Session, ref: str, *, if_match: str | None = None) -> None:
    """Delete a source nothing refers to."""
    source = crud.get_or_404(session, Source, ref)
    crud.check_if_match(source, if_match)
    count = crud.counter(session)
    crud.ensure_unreferenced(
        [
            ("claim appearances", count(Appearance, col(Appearance.source_id) == source.id)),
            ("participant roles", count(Role, col(Role.source_id) == source.id)),
            ("event citations", count(EventSource, col(EventSource.source_id) == source.id)),
        ],
        f"source '{source.slug}'",
    )
    session.delete(source)
    crud.commit(session, f"source '{source.slug}'")


def _set_text(source: Source, text: str | None) -> None:
    # The hash always describes the stored text: none without one.
    source.text = text
    source.sha256 = None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_recorded_sha256(source: Source, text: str | None) -> None:
    # The recorded sha256 says which text the source is: another text is another source. A
    # deliberate replacement takes two writes, removing the text and then sending the new one,
    # so that it is never silent.
    if text is None or source.sha256 is None:
        return
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != source.sha256:
        raise Conflict(
            f"the text's sha256 is {digest}, not the source's recorded {source.sha256}: it is "
            "not the text this source was recorded from; to replace it deliberately, first "
            'remove the stored text (`"text": null`), then send the new one'
        )


def reverify_appearances(
    session: Session, source_id: uuid.UUID, text: str | None, sha256: str | None
) -> None:
    """A source's new text must hold every quote at its offsets; each is then verified by it."""
    # Shared by PATCH /sources/{id} and the import's update of a source.
    if text is None:
        return
    rows = session.exec(select(Appearance).where(col(Appearance.source_id) == source_id)).all()
    broken = [a for a in rows if not _quoted_at(text, a)]
    if broken:
        raise Conflict(
            f"the new text no longer holds {len(broken)} quoted appearance(s) at their offsets; "
            "update or delete those appearances first"
        )
    for row in rows:
        if (row.verification, row.verified_sha256) != (Verification.verified, sha256):
            row.verification, row.verified_sha256 = Verification.verified, sha256
            crud.touch(row)


def _quoted_at(text: str, appearance: Appearance) -> bool:
    if appearance.char_start is None or appearance.char_end is None:
        return appearance.quote in text
    return text[appearance.char_start : appearance.char_end] == appearance.quote


def to_public(sources: Sequence[Source]) -> list[SourcePublic]:
    """Public form of sources."""
    return [_public(source) for source in sources]


def _public(source: Source) -> SourcePublic:
    fields: dict[str, Any] = {
        name: getattr(source, name)
        for name in _SCALARS
        | {"id", "text", "sha256", "created_at", "updated_at", "version"}
        | {"created_by", "updated_by"}
    }
    return SourcePublic(published=stored_date(source, "published"), **fields)
