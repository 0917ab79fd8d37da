"""API of the analytics room (at /analytics): aggregates and alerts, never a person."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ventanilla.access.actors import actor_of
from ventanilla.analytics.selectors import alerts_since
from ventanilla.core.problems import PROBLEM_RESPONSES

router = Router(tags=["analytics"])


class AlertOut(Schema):
    day: date
    service_code: str
    service_name: str
    district: str
    observed: int
    expected: float
    p_value: float


class AlertsQuery(Schema):
    since: date = Field(description="The first day to list (YYYY-MM-DD)")


@router.get(
    "/alerts",
    operation_id="ventanilla_analytics_api_list_alerts",
    response={200: list[AlertOut], **PROBLEM_RESPONSES},
    summary="Emerging problems: days on which a service rose in a district, newest first",
)
def list_alerts(request: HttpRequest, query: Query[AlertsQuery]) -> object:
    return [
        {
            "day": alert.day,
            "service_code": alert.service.code,
            "service_name": alert.service.name,
            "district": alert.district,
            "observed": alert.observed,
            "expected": round(alert.expected, 2),
            "p_value": alert.p_value,
        }
        for alert in alerts_since(actor=actor_of(request), since=query.since)
    ]
