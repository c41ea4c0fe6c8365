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
            "Requests a minute each API key (each distinct Authorization header) may make, "
            "per process; 0 turns the per-key limit off."
        ),
    )
    anonymous_rate_limit_per_minute: int = Field(
        default=120,
        ge=0,
        description=(
            "Requests a minute each client address without an API key may make, per process; "
            "0 turns the per-address limit off."
        ),
    )
    access_log: bool = Field(
        default=True,
        description="Log one JSON line per request on the `geoevents.access` logger (stderr).",
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

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        """Accept `["https://a", ...]` or `https://a,https://b` from the environment."""
        if not isinstance(value, str):
            return value
        if value.strip().startswith("["):
            return json.loads(value)
        return [origin.strip() for origin in value.split(",") if origin.strip()]


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
