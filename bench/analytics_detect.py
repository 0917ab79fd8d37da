"""Emerging-problem detection on a seeded synthetic town: spikes are planted (extra cases of one
service in one district for a few days) and the daily check is run over them; printed are the
detection rate, the delay in days from the spike's first day to its first alert, and the false
alarms a month on days with nothing planted. Every planted row is rolled back.

    python bench/analytics_detect.py                        # 2,000 citizens on SQLite
    python bench/analytics_detect.py --citizens 20000 --trials 40 --extra 2.0 --floor 3

A spike adds max(floor, extra × baseline) cases a day; below VENTANILLA_ALERT_MIN_COUNT a day is
never an alert, so small spikes in a small town go unseen by design.

The seeded database is kept (var/bench/analytics-*.sqlite3) so a second run skips seeding.
"""

from __future__ import annotations

import argparse
import json

from analytics import prepare  # type: ignore[import-not-found]
from run import ROOT, shell  # type: ignore[import-not-found]

PLANT = r"""
import json, random, sys, uuid
from datetime import datetime, time, timedelta
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from ventanilla.analytics.detection import daily_counts, history_days
from ventanilla.analytics.services import alerts_detect
from ventanilla.cases.models import Case

trials, extra, days_long, quiet_days, seed, floor = (
    int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
    int(sys.argv[6]),
)
rng = random.Random(seed)
latest = timezone.localdate(Case.objects.order_by("-opened_at").first().opened_at)
zone = timezone.get_current_timezone()


class Undo(Exception):
    pass


def quiet() -> int:
    # False alarms: the check on ordinary days, nothing planted.
    alarms = 0
    for back in range(quiet_days):
        try:
            with transaction.atomic():
                alarms += len(alerts_detect(today=latest - timedelta(days=back)).alerts)
                raise Undo
        except Undo:
            pass
    return alarms


pairs = list(
    Case.objects.exclude(district="").values("service_id", "district")
    .annotate(n=Count("id")).filter(n__gte=10).order_by("service_id", "district")
)
results = []
for trial in range(trials):
    pair = rng.choice(pairs)
    start = latest - timedelta(days=rng.randint(days_long, 60))
    past = history_days(start)
    history = daily_counts([start, *past])
    mean = sum(history.get(d, {}).get((pair["service_id"], pair["district"]), 0) for d in past)
    mean /= len(past)
    planted = max(floor, round(extra * mean))
    template = Case.objects.filter(
        service_id=pair["service_id"], district=pair["district"]
    ).first()
    found = None
    try:
        with transaction.atomic():
            for offset in range(days_long):
                day = start + timedelta(days=offset)
                at = timezone.make_aware(datetime.combine(day, time(11)), zone)
                rows = []
                for _ in range(planted):
                    row = Case.objects.get(pk=template.pk)
                    row.pk = uuid.uuid4()
                    row.reference = uuid.uuid4().hex[:20]
                    row.opened_at = at
                    rows.append(row)
                Case.objects.bulk_create(rows)
                alerts = alerts_detect(today=day).alerts
                if found is None and any(
                    (a.service_id, a.district) == (pair["service_id"], pair["district"])
                    for a in alerts
                ):
                    found = offset
            raise Undo
    except Undo:
        pass
    results.append({"mean": mean, "planted": planted, "delay": found})
alarms = quiet()
detected = [r for r in results if r["delay"] is not None]
print(json.dumps({
    "trials": trials,
    "detected": len(detected),
    "rate": len(detected) / trials if trials else 0.0,
    "mean_delay_days": (sum(r["delay"] for r in detected) / len(detected)) if detected else None,
    "mean_baseline": sum(r["mean"] for r in results) / trials if trials else 0.0,
    "mean_planted": sum(r["planted"] for r in results) / trials if trials else 0.0,
    "false_alarms": alarms,
    "quiet_days": quiet_days,
    "false_alarms_per_month": alarms * 30.0 / quiet_days,
    "pairs": len(pairs),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--extra", type=float, default=2.0, help="planted per day, × baseline")
    parser.add_argument("--floor", type=int, default=3, help="fewest planted per day")
    parser.add_argument("--days", type=int, default=3, help="how long each spike lasts")
    parser.add_argument("--quiet-days", type=int, default=30)
    options = parser.parse_args()
    env = prepare(options)
    result = shell(
        PLANT,
        env,
        str(options.trials),
        str(options.extra),
        str(options.days),
        str(options.quiet_days),
        str(options.seed),
        str(options.floor),
    )
    print(
        f"detection rate {result['rate']:.0%} ({result['detected']}/{result['trials']} spikes of "
        f"~{result['mean_planted']:.1f} extra cases a day over a baseline of "
        f"{result['mean_baseline']:.2f}), mean delay "
        f"{result['mean_delay_days'] if result['mean_delay_days'] is not None else '—'} days, "
        f"false alarms {result['false_alarms_per_month']:.1f} a month "
        f"({result['false_alarms']} on {result['quiet_days']} quiet days, "
        f"{result['pairs']} service-district pairs)"
    )
    out = ROOT / "var" / "bench" / "analytics_detect.json"
    out.write_text(json.dumps({**result, "options": vars(options)}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
