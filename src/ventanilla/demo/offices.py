"""The demo town's two offices that take appointments: the citizens' office in the town hall
(register and certificates, morning and two afternoons) and the planning office (works permits,
mornings)."""

from __future__ import annotations

from datetime import time

from ventanilla.appointments.services import office_ensure

_MORNINGS = [(weekday, time(9), time(14)) for weekday in range(5)]


def ensure_offices() -> None:
    office_ensure(
        code="oac-centro",
        agency_code="ayto",
        name="Oficina de Atención Ciudadana · Centro",
        address="Plaza de España 1, Villanueva del Río",
        desks=["Mesa 1", "Mesa 2", "Mesa 3"],
        services={
            "empadronamiento": (15, 2),
            "certificado-empadronamiento": (10, 3),
            "cambio-domicilio": (15, 2),
        },
        hours=[*_MORNINGS, (1, time(16), time(18, 30)), (3, time(16), time(18, 30))],
    )
    office_ensure(
        code="urbanismo",
        agency_code="ayto",
        name="Oficina de Urbanismo",
        address="Calle del Río 12, Villanueva del Río",
        desks=["Mesa A"],
        services={"licencia-obra-menor": (20, 1), "licencia-obra-mayor": (30, 1)},
        hours=_MORNINGS,
    )
