"""Schemathesis against the live app: no server error, every response as documented.

One test per operation and backend, each on a migrated database seeded with the article and
rolled back afterwards; every request sends an admin key. `make fuzz` sends more examples.
"""

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode, checks
from sqlmodel import Session

from app.config import Settings
from app.db import get_session
from app.main import create_app
from seed.loader import load_article
from tests.conftest import use_session
from tests.factories import bearer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# positive_data_acceptance is left out: a schema-valid request may rightly be refused, since
# references, EDTF dates, country codes and If-Match are checked beyond what the schema says.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
# POST /import reads NDJSON text, which the schema describes as a string: sent as text.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
# With format=gdelt it reads a GDELT file, also described as a string.
schemathesis.serializer.alias("text/tab-separated-values", "text/plain")

CASES: Counter[str] = Counter()
"""Cases sent per operation; conftest reports the total."""

# Building the app connects to nothing; each test points it at its own database below.
fuzz_app = create_app(
    Settings(rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0, access_log=False)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
# An invalid body may also be too large: 413 (MAX_BODY_BYTES) rejects it as well as a 422 does.
rejecting = schema.config.checks.negative_data_rejection
rejecting.expected_statuses = [*rejecting.expected_statuses, "413"]


@pytest.fixture
def seeded(session: Session) -> Iterator[None]:
    """The app on the test's database, holding the seeded article."""
    load_article(session)
    use_session(fuzz_app, session)
    yield
    fuzz_app.dependency_overrides.pop(get_session, None)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzz(case: Case[Any], seeded: None, admin_key: str) -> None:
    """Each generated request gets a documented status, content type, headers and body."""
    CASES[case.operation.label] += 1
    sent = CHECKS
    if (case.query or {}).get("fields"):
        # Then the items are `<Record>Fields`, as the parameter says: the page schema documents
        # the full record, which a client that selects no fields gets.
        sent = [check for check in CHECKS if check is not checks.response_schema_conformance]
    case.call_and_validate(headers=bearer(admin_key), checks=sent)
