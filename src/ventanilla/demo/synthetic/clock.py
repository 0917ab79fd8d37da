"""Time in the synthetic town: the three years of history counted back from its "now" (the start
of the day it is seeded for, or ``REFERENCE_NOW``; never read from the wall clock here), how busy
each channel is by month, weekday and hour, and the timestamps the bulk load writes."""

from __future__ import annotations

import bisect
import random
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from ventanilla.demo.synthetic.draws import Weighted

MADRID: Final = ZoneInfo("Europe/Madrid")
# "Now" of the synthetic town when no day is given: every date is counted back from here.
REFERENCE_NOW: Final = datetime(2026, 6, 30, 12, 0, tzinfo=MADRID)


def start_of(today: date) -> datetime:
    """The "now" of a town seeded on ``today``: its history ends as that day begins."""
    return datetime.combine(today, time.min, tzinfo=MADRID)


HISTORY_YEARS: Final = 3

MONTH_WEIGHT: Final = (1.15, 1.05, 1.1, 1.2, 1.2, 1.05, 0.85, 0.5, 1.3, 1.1, 1.05, 0.8)
HOLIDAYS: Final = frozenset(
    {(1, 1), (1, 6), (5, 1), (8, 15), (10, 12), (11, 1), (12, 6), (12, 8), (12, 25)}
)
ASSISTED_HOURS: Final = (0, 0, 0, 0, 0, 0, 0, 0, 3, 10, 12, 12, 11, 9, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0)
PHONE_HOURS: Final = (0, 0, 0, 0, 0, 0, 0, 0, 4, 9, 11, 11, 10, 9, 6, 4, 5, 6, 5, 4, 2, 0, 0, 0)
KIOSK_HOURS: Final = (0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 9, 10, 10, 9, 7, 4, 4, 5, 5, 4, 1, 0, 0, 0)
ONLINE_HOURS: Final = (
    1,
    0.5,
    0.3,
    0.2,
    0.2,
    0.3,
    1,
    2,
    4,
    6,
    7,
    7,
    6,
    5,
    4,
    4,
    5,
    6,
    6,
    6,
    6,
    5,
    4,
    2,
)
API_HOURS: Final = (4, 6, 6, 5, 3, 2, 2, 2, 3, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3)
CHANNEL_HOURS: Final = {
    "desk": ASSISTED_HOURS,
    "post": ASSISTED_HOURS,
    "phone": PHONE_HOURS,
    "kiosk": KIOSK_HOURS,
    "web": ONLINE_HOURS,
    "app": ONLINE_HOURS,
    "email": ONLINE_HOURS,
    "api": API_HOURS,
    "open311": ONLINE_HOURS,
}
# Digital channels grow a little every year, counters shrink.
CHANNEL_TREND: Final = {"web": 0.12, "app": 0.2, "email": 0.0, "api": 0.1, "desk": -0.08,
                        "phone": -0.04, "post": -0.15, "kiosk": 0.0, "open311": 0.2}  # fmt: skip


class Clock:
    """The days of the three-year history with per-channel weights, and time formatting."""

    def __init__(self, vendor: str, now: datetime = REFERENCE_NOW) -> None:
        self.now = now
        self.today = now.date()
        self.now_epoch = int(now.timestamp())
        first = self.today.replace(year=self.today.year - HISTORY_YEARS)
        self.first_day = first
        self.days = [first + timedelta(days=n) for n in range((self.today - first).days)]
        self.day_epoch = [
            int(datetime(d.year, d.month, d.day, tzinfo=MADRID).timestamp()) for d in self.days
        ]
        self.suffix = "+00" if vendor == "postgresql" else ""
        self._day_text: dict[int, str] = {}
        self.day_cum: dict[str, list[float]] = {}
        for channel, trend in CHANNEL_TREND.items():
            running = 0.0
            cum = []
            for n, day in enumerate(self.days):
                running += self._weight(channel, day, n, trend)
                cum.append(running)
            self.day_cum[channel] = cum
        self.hours = {
            channel: Weighted(list(enumerate(weights)))
            for channel, weights in CHANNEL_HOURS.items()
        }

    def _weight(self, channel: str, day: date, n: int, trend: float) -> float:
        weekday = day.weekday()
        holiday = (day.month, day.day) in HOLIDAYS
        christmas = (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 7)
        weight = MONTH_WEIGHT[day.month - 1] * (1 + trend * n / 365)
        if channel in ("desk", "post", "phone"):
            if weekday >= 5 or holiday:
                return 0.0
            weight *= (1.25, 1.15, 1.1, 1.0, 0.8)[weekday]
        else:
            weight *= (1.2, 1.15, 1.1, 1.05, 0.9, 0.45, 0.4)[weekday]
            if holiday:
                weight *= 0.4
        if christmas:
            weight *= 0.5
        return weight

    def day_index(self, moment: date) -> int:
        return max(0, min(len(self.days), (moment - self.first_day).days))

    def pick_day(self, channel: str, rng: random.Random, start: int) -> int:
        cum = self.day_cum[channel]
        low = cum[start - 1] if start > 0 else 0.0
        index = bisect.bisect(cum, low + rng.random() * (cum[-1] - low))
        return min(index, len(cum) - 1)

    def moment(self, channel: str, rng: random.Random, start: int) -> tuple[int, int]:
        """(day index, UTC epoch seconds) of one contact on ``channel`` from day ``start``."""
        day = self.pick_day(channel, rng, start)
        hour = self.hours[channel].pick(rng)
        return day, self.day_epoch[day] + hour * 3600 + rng.randrange(3600)

    def ts(self, epoch: int) -> str:
        day, rest = divmod(epoch, 86_400)
        text = self._day_text.get(day)
        if text is None:
            text = date.fromordinal(719_163 + day).isoformat()
            self._day_text[day] = text
        hour, rest = divmod(rest, 3600)
        minute, second = divmod(rest, 60)
        return f"{text} {hour:02d}:{minute:02d}:{second:02d}{self.suffix}"

    def epoch_of(self, day: date, hour: int = 10) -> int:
        return int(datetime(day.year, day.month, day.day, hour, tzinfo=MADRID).timestamp())
