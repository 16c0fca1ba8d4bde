"""Tiny inline-SVG bar charts for the loyalty trend: a few numbers need no chart library."""

from dataclasses import dataclass
from datetime import datetime

WIDTH = 320
HEIGHT = 120
LABEL_SPACE = 18
VALUE_SPACE = 14  # room above the tallest bar for its value


@dataclass(frozen=True)
class Bar:
    x: float
    center: float
    y: float
    width: float
    height: float
    label: datetime
    value: float | None
    text: str


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    empty: bool


def bar_chart(
    points: list[tuple[datetime, float | None]], *, unit: str, top: float | None = None
) -> BarChart:
    values = [v for _, v in points if v is not None]
    top = top or (max(values) if values else 1) or 1
    plot = HEIGHT - LABEL_SPACE
    room = plot - VALUE_SPACE
    slot = WIDTH / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        height = 0 if value is None else max(room * value / top, 2)
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.15, 1),
                center=round(index * slot + slot * 0.5, 1),
                y=round(plot - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=label,
                value=value,
                text="—" if value is None else f"{value:.1f} {unit}" if unit == "h" else f"{value:.0f}{unit}",
            )
        )
    return BarChart(bars=bars, width=WIDTH, height=HEIGHT, baseline=plot, empty=not values)
