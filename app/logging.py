"""JSON log lines: one object per record, with the record's `fields` merged in."""

import datetime as dt
import logging
import sys

import orjson


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message and its `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON."""
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class StderrHandler(logging.Handler):
    """Write to whatever `sys.stderr` is when a record comes, as `logging.lastResort` does."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write one line and flush it."""
        try:
            stream = sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def configure_json_logger(name: str) -> logging.Logger:
    """Send logger `name` to stderr as JSON lines at INFO, once per process."""
    logger = logging.getLogger(name)
    if not any(isinstance(h, StderrHandler) for h in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        # Not propagated: a root handler the host configured would print each line twice.
        logger.propagate = False
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
    return logger
