"""``python -m services.chart``: run the chart workers until SIGTERM or SIGINT.

Exit codes: 0 after a clean shutdown, 2 when the settings are invalid or an address is taken.
"""
from __future__ import annotations

import asyncio
import sys

from pydantic import ValidationError

from numeros_common.logging import configure_logging
from services.chart.api.workers import ListenError, serve
from services.chart.settings import ChartSettings

USAGE_ERROR = 2


def main() -> int:
    try:
        settings = ChartSettings()
    except ValidationError as error:
        print(f"chart: invalid settings: {_one_line(error)}", file=sys.stderr)
        return USAGE_ERROR
    configure_logging(settings.service_name, settings.log_level)
    try:
        asyncio.run(serve(settings))
    except ListenError as error:
        print(f"chart: {error}", file=sys.stderr)
        return USAGE_ERROR
    return 0


def _one_line(error: ValidationError) -> str:
    """Name each bad setting by its environment variable (a rule across settings by its message alone)."""
    return "; ".join(
        f"NUMEROS_{'_'.join(map(str, problem['loc'])).upper()}: {problem['msg']}" if problem["loc"]
        else str(problem.get("ctx", {}).get("error", problem["msg"])) for problem in error.errors()
    )


if __name__ == "__main__":
    sys.exit(main())
