"""What the residents of the synthetic town ask for: how often each group of people uses each
service, how much each group contacts the administration and on which channels, and the words
the contacts are summed up in. Data only; ``interactions`` and ``cases`` draw from it."""

from __future__ import annotations

from typing import Final

GROUPS: Final = ("child", "teen", "young", "adult", "senior", "organisation")

# How often each group uses each service: (child, teen, young, adult, senior, organisation).
SERVICE_USE: Final[dict[str, tuple[float, ...]]] = {
    "empadronamiento": (0.5, 0.3, 3, 2, 0.5, 0),
    "cambio-domicilio": (0.5, 0.3, 4, 3, 1, 0),
    "certificado-empadronamiento": (1, 1, 6, 6, 3, 0),
    "inscripcion-nacimiento": (2, 0, 0.5, 0.5, 0, 0),
    "baja-padron-defuncion": (0, 0, 0.1, 0.6, 0.8, 0),
    "inscripcion-matrimonio": (0, 0, 0.8, 0.5, 0.05, 0),
    "pareja-de-hecho": (0, 0, 0.6, 0.3, 0.02, 0),
    "censo-electoral": (0, 0.1, 1, 1, 0.8, 0),
    "licencia-obra-menor": (0, 0, 0.8, 3, 2, 4),
    "licencia-obra-mayor": (0, 0, 0.1, 0.8, 0.3, 3),
    "licencia-actividad": (0, 0, 0.3, 0.3, 0.02, 6),
    "cese-actividad": (0, 0, 0.05, 0.1, 0.05, 1.5),
    "ocupacion-via-publica": (0, 0, 0.3, 0.5, 0.1, 4),
    "alumbrado-publico": (0, 0.2, 1.5, 2, 2, 1),
    "recogida-enseres": (0, 0, 2, 3, 2, 0.5),
    "limpieza-via-publica": (0, 0.3, 2, 3, 3, 2),
    "denuncia-ruidos": (0, 0.2, 2, 2, 2, 0.5),
    "registro-animales": (0, 0.2, 1.5, 1.2, 0.5, 0),
    "cementerio": (0, 0, 0.05, 0.6, 1, 0),
    "pago-tributos": (0, 0, 4, 9, 8, 10),
    "bonificacion-ibi": (0, 0, 0.3, 1.5, 0.8, 0),
    "domiciliacion-recibos": (0, 0, 1, 2, 1.5, 2),
    "aplazamiento-deudas": (0, 0, 0.5, 1, 0.4, 2),
    "plusvalia": (0, 0, 0.3, 1, 0.8, 1),
    "recurso-multa-trafico": (0, 0, 1.5, 1.5, 0.4, 2),
    "pago-multa": (0, 0, 3, 3, 0.8, 3),
    "tarjeta-residentes": (0, 0, 1, 1.5, 0.8, 0),
    "vado-permanente": (0, 0, 0.1, 0.5, 0.3, 1),
    "desperfectos-calzada": (0, 0.2, 1.5, 2, 2, 1),
    "ayuda-emergencia-social": (0, 0, 1, 1, 0.5, 0),
    "ayuda-domicilio": (0, 0, 0, 0.1, 3, 0),
    "teleasistencia": (0, 0, 0, 0.05, 2.5, 0),
    "valoracion-dependencia": (0.2, 0.1, 0.05, 0.2, 2, 0),
    "mediacion-familiar": (0, 0, 0.2, 0.5, 0.02, 0),
    "adopcion-acogimiento": (0, 0, 0.1, 0.3, 0, 0),
    "escuela-infantil": (3, 0, 0, 0, 0, 0),
    "admision-escolar": (4, 1, 0, 0, 0, 0),
    "becas-comedor": (3, 1, 0, 0, 0, 0),
    "transporte-universitario": (0, 0.2, 2, 0.1, 0, 0),
    "escuelas-deportivas": (4, 3, 0.5, 0.5, 0.8, 0),
    "reserva-instalaciones": (0, 2, 3, 2, 0.5, 0.5),
    "carne-biblioteca": (2, 3, 1.5, 0.5, 0.5, 0),
    "cita-dni-pasaporte": (1.5, 2, 2, 2, 1.5, 0),
    "informacion-permiso-conducir": (0, 0.5, 2, 1, 0.8, 0),
    "quejas-sugerencias": (0, 0.3, 2, 3, 3, 2),
    "presupuestos-participativos": (0, 0.2, 1, 1, 0.5, 0.3),
    "tarjeta-sanitaria": (2, 0.5, 1, 0.8, 0.8, 0),
    "cita-medico": (12, 6, 8, 12, 20, 0),
    "cambio-medico": (0.5, 0.2, 1, 1, 1, 0),
    "numero-afiliacion": (0, 0.5, 2, 0.3, 0, 0),
    "informe-vida-laboral": (0, 0, 2, 2, 1, 0.5),
    "prestacion-nacimiento": (0, 0, 0.5, 0.8, 0, 0),
    "pension-jubilacion": (0, 0, 0, 0.3, 3, 0),
    "pension-viudedad": (0, 0, 0, 0.2, 1, 0),
    "prestacion-desempleo": (0, 0, 1, 1, 0.05, 0),
    "demanda-empleo": (0, 0.1, 2, 1.5, 0.05, 0),
    "comunicacion-contrato": (0, 0, 0, 0, 0, 8),
    "ayuda-autonomos": (0, 0, 0.3, 0.3, 0, 1),
}
# Services that follow another: after a case for the first, the same person opens a case for
# each of these with the given chance, within ``FOLLOW_ON_DAYS`` (a birth is registered, then the
# baby is put on the register and given a health card; a small building work needs the pavement;
# a death, the cemetery). The sequences the mining of associations must find in the demo town.
FOLLOW_ON: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "inscripcion-nacimiento": (("empadronamiento", 0.8), ("tarjeta-sanitaria", 0.7)),
    "licencia-obra-menor": (("ocupacion-via-publica", 0.5),),
    "baja-padron-defuncion": (("cementerio", 0.8),),
}
FOLLOW_ON_DAYS: Final = (3, 75)
# Extra weight of a service for someone in a given work situation.
STATUS_BOOST: Final[dict[str, dict[str, float]]] = {
    "unemployed": {
        "prestacion-desempleo": 8,
        "demanda-empleo": 6,
        "ayuda-emergencia-social": 3,
        "aplazamiento-deudas": 2,
    },
    "student": {"transporte-universitario": 3, "carne-biblioteca": 2, "reserva-instalaciones": 2},
    "retired": {"pension-jubilacion": 1.5, "teleasistencia": 1.5},
    "employed": {"informe-vida-laboral": 1.5},
}
# How much each group interacts, relative to a working-age adult.
ACTIVITY: Final[dict[str, float]] = {
    "child": 0.3,
    "teen": 0.55,
    "young": 1.0,
    "adult": 1.2,
    "senior": 1.0,
    "organisation": 3.0,
}
CHANNEL_USE: Final[dict[str, dict[str, float]]] = {
    "child": {"web": 25, "desk": 30, "phone": 18, "app": 12, "email": 8, "kiosk": 2, "post": 3,
              "api": 2},
    "teen": {"web": 30, "app": 26, "desk": 18, "phone": 10, "email": 8, "kiosk": 6, "post": 1,
             "api": 1},
    "young": {"web": 35, "app": 22, "email": 12, "phone": 12, "desk": 12, "kiosk": 3, "api": 3,
              "post": 1, "open311": 1},
    "adult": {"web": 30, "app": 12, "email": 12, "phone": 18, "desk": 20, "kiosk": 3, "api": 3,
              "post": 2, "open311": 1},
    "senior": {"web": 8, "app": 3, "email": 4, "phone": 35, "desk": 42, "kiosk": 3, "api": 2,
               "post": 3},
    "organisation": {"web": 35, "api": 25, "email": 20, "phone": 8, "desk": 8, "post": 4,
                     "app": 0.5, "kiosk": 0.5},
}  # fmt: skip

INCIDENT_SERVICES: Final = {
    "alumbrado-publico": (
        "Farola apagada en {place}",
        "Varias farolas sin luz en {place}",
        "Farola dañada tras un golpe en {place}",
    ),
    "limpieza-via-publica": (
        "Contenedores desbordados en {place}",
        "Suciedad acumulada en {place}",
        "Pintadas en la fachada de {place}",
    ),
    "denuncia-ruidos": (
        "Ruido de un bar hasta la madrugada en {place}",
        "Obras fuera de horario en {place}",
        "Ruido de vecinos por la noche en {place}",
    ),
    "desperfectos-calzada": (
        "Bache peligroso en {place}",
        "Baldosas sueltas en la acera de {place}",
        "Señal de tráfico caída en {place}",
    ),
    "recogida-enseres": (
        "Recoger un sofá y un colchón en {place}",
        "Muebles abandonados junto al contenedor en {place}",
        "Recoger electrodomésticos viejos en {place}",
    ),
}
LOCATED_SERVICES: Final = frozenset(
    {*INCIDENT_SERVICES, "licencia-obra-menor", "licencia-obra-mayor", "ocupacion-via-publica",
     "vado-permanente", "licencia-actividad"}
)  # fmt: skip
PAYMENT_SERVICES: Final = frozenset({"pago-tributos", "pago-multa"})
APPOINTMENT_SERVICES: Final = frozenset(
    {"cita-medico", "cita-dni-pasaporte", "reserva-instalaciones"}
)
INFORMATION_SERVICES: Final = frozenset({"informacion-permiso-conducir"})
HEALTH_SERVICES: Final = frozenset({"cita-medico", "cambio-medico", "tarjeta-sanitaria"})

SUMMARY_TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "question": (
        "Consulta sobre {service}",
        "Pide información sobre {service}",
        "Pregunta por los requisitos de {service}",
        "Pregunta por el estado de su trámite de {service}",
        "Pregunta qué documentos necesita para {service}",
    ),
    "request": ("Solicitud de {service}", "Presenta la solicitud de {service}", "Pide {service}"),
    "transaction": (
        "Gestión completada: {service}",
        "Trámite realizado: {service}",
        "Realiza la gestión de {service}",
    ),
    "complaint": (
        "Queja sobre {service}",
        "Reclamación por el retraso en {service}",
        "Queja por el trato recibido en {service}",
        "Queja: no le han contestado sobre {service}",
    ),
    "suggestion": (
        "Sugerencia para mejorar {service}",
        "Propone ampliar el horario de {service}",
        "Propone que {service} se pueda hacer por internet",
    ),
}
PROPOSALS: Final = (
    "Propone un parque infantil en {district}",
    "Propone un carril bici que llegue a {district}",
    "Propone más bancos y sombra en las plazas de {district}",
    "Propone un huerto urbano en {district}",
    "Propone arreglar la pista del polideportivo de {district}",
    "Propone más pasos de peatones en {district}",
)
GENERAL_SUMMARIES: Final = (
    "Consulta de horarios y direcciones de las oficinas municipales",
    "Pregunta por el teléfono de otra administración",
    "Pregunta cómo obtener el certificado digital",
    "Pide información general sobre trámites",
    "Consulta sobre cómo pedir cita previa",
)
