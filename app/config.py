"""Settings read from the environment (prefix-free names, `.env` optional)."""

import json
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./geoevents.db"
MIN_SECRET_LENGTH = 32
_ENVIRONMENT_NAMES = {"admin_key": "GEOEVENTS_ADMIN_KEY"}


class Settings(BaseSettings):
    """Runtime configuration; nothing here connects to anything."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        description="Connections each process keeps open to PostgreSQL, in each of its two "
        "pools (sessions; reads of one record, app.db.snapshot_engine).",
    )
    query_timeout_seconds: float = Field(
        default=5.0,
        ge=0,
        description=(
            "Time budget of every database statement of the server, in seconds; one that runs "
            "longer is stopped and answered 503 /problems/query-timeout. 0 turns it off."
        ),
    )
    slow_read_threads: int = Field(
        default=2,
        ge=1,
        description=(
            "Threads per process that run slow reads (searches, expansions, totals, long pages, "
            "stats, timelines, networks) off the event loop; more wait their turn."
        ),
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1,
        description="Largest request body accepted, in bytes; a larger one is a 413.",
    )
    import_max_body_bytes: int = Field(
        default=1_073_741_824,
        ge=1,
        description="Largest body POST /api/v1/import accepts, in bytes (1 GiB by default); "
        "the import reads it to a temporary file, not to memory.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Origins of browser apps allowed to call the API (CORS), as a JSON list or "
            "comma-separated; empty turns CORS off."
        ),
    )
    rate_limit_per_minute: int = Field(
        default=600,
        ge=0,
        description=(
            "Tokens a minute each working API key may spend (a request costs one per started "
            "100 ms of its answer); 0 turns the per-key limit off."
        ),
    )
    anonymous_rate_limit_per_minute: int = Field(
        default=120,
        ge=0,
        description=(
            "Tokens a minute each client address may spend on requests without a working API "
            "key (a request costs one per started 100 ms of its answer); 0 turns it off."
        ),
    )
    rate_limit_cost_ms: int = Field(
        default=100,
        ge=0,
        description=(
            "A request costs one rate-limit token, plus one per further started this many "
            "milliseconds it takes to answer (at most 60); 0 makes every request cost one. "
            "An import costs one however many lines it holds."
        ),
    )
    rate_limit_store: str = Field(
        default="memory",
        description=(
            "Where the rate-limit buckets live: `memory` (each process its own, the default) or "
            "a Redis URL such as redis://127.0.0.1:6379/0, shared by every worker and replica."
        ),
    )
    access_log: bool = Field(
        default=True,
        description="Log one JSON line per request on the `geoevents.access` logger (stderr).",
    )

    explorer: bool = Field(
        default=True,
        description="Serve the explorer page at `/` (its assets under `/explorer`).",
    )

    require_key_for_reads: bool = Field(
        default=False,
        description="Make GET and HEAD under /api/v1 need an API key with the read scope.",
    )
    docs_need_key: bool = Field(
        default=False,
        description=(
            "With REQUIRE_KEY_FOR_READS=true, make /docs, /redoc and /openapi.json need a read "
            "key too (they stay public otherwise)."
        ),
    )
    metrics_access: Literal["off", "public", "admin"] | None = Field(
        default=None,
        description=(
            "Who may read GET /metrics: `off` (404), `public`, or `admin` (an admin key). "
            "Unset: `admin` when REQUIRE_KEY_FOR_READS=true, else `public`."
        ),
    )
    admin_key: SecretStr | None = Field(
        default=None,
        validation_alias="GEOEVENTS_ADMIN_KEY",
        description=(
            f"An admin API key ensured at startup (bootstrap), at least {MIN_SECRET_LENGTH} "
            "characters; changing it revokes the key the old value made. Unset or empty, none is."
        ),
    )
    cursor_secret: SecretStr | None = Field(
        default=None,
        description=(
            "The key page cursors are signed with (HMAC-SHA256), at least 32 characters, the "
            "same for every process. Unset, one is made on the first start and kept in the "
            "database (table server_secret). Changing it invalidates every cursor given out."
        ),
    )

    idempotency_ttl_seconds: int = Field(
        default=86_400,
        ge=0,
        description=(
            "How long an Idempotency-Key is remembered, in seconds (24 hours by default); "
            "after that the same key is processed as a new request."
        ),
    )

    # Running as replicas (deploy/README.md): proxies, standbys, shutdown.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description=(
            "Proxies (addresses or CIDR networks, comma-separated; `*` for any) whose "
            "X-Forwarded-For / Forwarded headers name the client; from others they are ignored."
        ),
    )
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "PostgreSQL streaming standbys (comma-separated URLs) that serve GETs under /api/v1; "
            "empty sends everything to DATABASE_URL."
        ),
    )
    replica_max_lag_seconds: float = Field(
        default=5.0, gt=0, description="A standby further behind than this is not read from."
    )
    replica_check_seconds: float = Field(
        default=1.0, gt=0, description="How often each standby's health and lag are checked."
    )
    drain_seconds: float = Field(
        default=5.0,
        ge=0,
        description="On SIGTERM, how long /ready answers 503 while requests are still served.",
    )
    shutdown_timeout_seconds: float = Field(
        default=20.0, gt=0, description="After draining, the longest wait for requests in flight."
    )

    def metrics(self) -> str:
        """Who may read /metrics, the default resolved."""
        if self.metrics_access is not None:
            return self.metrics_access
        return "admin" if self.require_key_for_reads else "public"

    @field_validator("admin_key", "cursor_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """A short key or secret could be guessed: refuse to start with one; empty is unset."""
        if value is None or not value.get_secret_value():
            return None
        length = len(value.get_secret_value())
        if length < MIN_SECRET_LENGTH:
            name = _ENVIRONMENT_NAMES.get(str(info.field_name), str(info.field_name).upper())
            raise ValueError(
                f"{name} must be at least {MIN_SECRET_LENGTH} characters (it has {length}); "
                "make one with: python -c "
                "\"import secrets; print('ge_' + secrets.token_urlsafe(32))\""
            )
        return value

    @field_validator("cors_origins", "forwarded_allow_ips", "database_replica_urls", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        """Accept `["a", ...]` or `a,b` from the environment."""
        if not isinstance(value, str):
            return value
        if value.strip().startswith("["):
            return json.loads(value)
        return [origin.strip() for origin in value.split(",") if origin.strip()]


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once; invalid ones stop the process, explained."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise SystemExit(f"geoevents: invalid settings: {problems}") from None
