"""JSON logs on stdout, each line carrying the service name and the current request id."""
from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from typing import Any

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


class JsonLines(JsonFormatter):
    """python-json-logger's lines, the same text for less CPU (its formatting was ~8 % of a request's): the
    time's text is built once per second, and a line of plain values is encoded by the standard library's
    C encoder as it is (the library builds its encoder anew for every line; it stays for other values)."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt or not self.default_msec_format:
            return super().formatTime(record, datefmt)
        second, text = self._second
        if second != int(record.created):
            second = int(record.created)
            text = time.strftime(self.default_time_format, self.converter(second))
            self._second = (second, text)  # one assignment: another thread sees the old pair or the new one
        return self.default_msec_format % (text, record.msecs)

    def jsonify_log_record(self, log_data: dict[str, Any]) -> str:
        if self.json_indent is None and self.json_ensure_ascii:
            try:
                return json.dumps(log_data)
            except (TypeError, ValueError):
                pass  # a value only the library's encoder writes (datetime, exception, ...)
        return super().jsonify_log_record(log_data)


_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(request_id)s"
_RENAMED = {"asctime": "ts", "levelname": "level", "name": "logger"}


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ContextFilter(service))
    handler.setFormatter(JsonLines(_FORMAT, rename_fields=_RENAMED))
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
        "formatters": {"json": {"()": JsonLines, "fmt": _FORMAT, "rename_fields": _RENAMED}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json",
                                "filters": ["context"]}},
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error")},
    }
