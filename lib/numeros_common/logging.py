"""JSON logs on stdout, each line carrying the service name and the current request id."""
from __future__ import annotations

import contextvars
import logging
import sys

from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        return True


_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(request_id)s"
_RENAMED = {"asctime": "ts", "levelname": "level", "name": "logger"}


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ContextFilter(service))
    handler.setFormatter(JsonFormatter(_FORMAT, rename_fields=_RENAMED))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log duplicates our request log line.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def logging_config(service: str, level: str = "INFO") -> dict:
    """``configure_logging`` as a ``logging.config.dictConfig`` mapping: what uvicorn applies in each of its
    worker processes (they start fresh, without the parent's handlers)."""
    return {
        "version": 1, "disable_existing_loggers": False,
        "filters": {"context": {"()": _ContextFilter, "service": service}},
        "formatters": {"json": {"()": JsonFormatter, "fmt": _FORMAT, "rename_fields": _RENAMED}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json",
                                "filters": ["context"]}},
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error")},
    }
