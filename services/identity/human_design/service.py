"""The Human Design use-case: chart computes the seed's chart; its errors stay chart's (``ChartSpecError``
carries the seed's error body) for the route to answer in the seed's shape."""
from __future__ import annotations

from numeros_common.chart_client import ChartClient


async def calculate_chart(chart: ChartClient, birth_datetime: str, birth_timezone: str, birth_latitude: float,
                          birth_longitude: float, name: str | None) -> str:
    """The chart as JSON text, passed through unchanged."""
    reply = await chart.calculate_human_design(birth_datetime, birth_timezone, birth_latitude, birth_longitude, name)
    return reply.json
