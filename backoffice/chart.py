"""A bar chart's geometry, computed on the server and drawn by an SVG template (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payments.money import format_inr

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 84, 8, 12, 28  # room for the axis labels
BAR_FILL_RATIO = 0.75


@dataclass(frozen=True)
class Bar:
    day: date
    value_paise: int
    x: float
    y: float
    width: float
    height: float
    label: str  # "Mon 3 Nov: ₹1,499.00", the bar's tooltip and accessible name
    show_day: bool  # label the axis under this bar (every 7th day and the last)
    text_x: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    max_paise: int
    max_label: str
    total_label: str
    peak: Bar | None

    @property
    def axis_label_y(self) -> int:
        return self.plot_bottom + 18


def _nice_ceiling(paise: int) -> int:
    """The axis top: the smallest 1, 2 or 5 x 10^n rupees at or above the highest bar."""
    if paise <= 0:
        return 100_00  # an empty chart still gets a sensible axis (₹100)
    step = 100
    while True:
        for factor in (1, 2, 5):
            if step * factor >= paise:
                return step * factor
        step *= 10


def bar_chart(points: list[tuple[date, int]]) -> BarChart:
    """Bars for (day, paise) points, in order, scaled to a rounded maximum."""
    plot_bottom = HEIGHT - BOTTOM
    plot_height = plot_bottom - TOP
    top_value = _nice_ceiling(max((value for _, value in points), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bars = []
    for index, (day, value) in enumerate(points):
        height = plot_height * value / top_value
        x = LEFT + index * slot + slot * (1 - BAR_FILL_RATIO) / 2
        bars.append(
            Bar(
                day=day,
                value_paise=value,
                x=round(x, 1),
                y=round(plot_bottom - height, 1),
                width=round(slot * BAR_FILL_RATIO, 1),
                height=round(height, 1),
                label=f"{day:%a %d %b}: {format_inr(value)}",
                show_day=(len(points) - 1 - index) % 7 == 0,
                text_x=round(LEFT + index * slot + slot / 2, 1),
            )
        )
    peak = max(bars, key=lambda bar: bar.value_paise, default=None)
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        bars=bars,
        max_paise=top_value,
        max_label=format_inr(top_value, drop_zero_paise=True),
        total_label=format_inr(sum(value for _, value in points)),
        peak=peak if peak and peak.value_paise > 0 else None,
    )
