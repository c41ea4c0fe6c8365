"""Settings read from the environment (prefix-free names, `.env` optional)."""

import json
from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./geoevents.db"


class Settings(BaseSettings):
    """Runtime configuration; nothing here connects to anything."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    database_pool_size: int = Field(
        default=10, ge=1, description="Connections each process keeps open to PostgreSQL."
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1,
        description="Largest request body accepted, in bytes; a larger one is a 413.",
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
            "milliseconds it takes to answer (at most 60); 0 makes every request cost one."
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
    admin_key: str | None = Field(
        default=None,
        validation_alias="GEOEVENTS_ADMIN_KEY",
        description="An admin API key ensured at startup (bootstrap); unset or empty, none is.",
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
    """Return the process-wide settings, read once."""
    return Settings()
