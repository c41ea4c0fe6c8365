"""`python -m seed`: load the article's records into the configured database."""

from sqlmodel import Session

from app.db import get_engine
from seed.loader import load_article


def main() -> None:
    """Load the seed idempotently and say what was created."""
    with Session(get_engine(), expire_on_commit=False) as session:
        created = load_article(session)
    total = sum(created.values())
    summary = ", ".join(f"{count} {kind}" for kind, count in created.items() if count)
    print(f"seed: created {summary}" if total else "seed: already loaded, nothing changed")


if __name__ == "__main__":
    main()
