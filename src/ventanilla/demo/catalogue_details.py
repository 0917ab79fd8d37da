"""What the demo's services ask for and give: request forms (JSON Schema, see
``ventanilla.catalog.forms``), costs, outputs and evidence; the holidays of 2026 and 2027; and
the knowledge base front-line staff answer from. ``ensure_catalogue()`` writes all of it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Final, NamedTuple


def field(
    title_es: str,
    title_en: str,
    kind: str = "string",
    *,
    help_es: str = "",
    help_en: str = "",
    **rules: Any,
) -> dict[str, Any]:
    node: dict[str, Any] = {"type": kind, "title": title_es, "x-title-en": title_en, **rules}
    if help_es:
        node["description"] = help_es
        node["x-description-en"] = help_en
    return node


def form(required: tuple[str, ...], **fields: dict[str, Any]) -> dict[str, Any]:
    """A closed form (no field it does not name), its fields in the order written."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            name: {**node, "x-order": order}
            for order, (name, node) in enumerate(fields.items(), start=1)
        },
        "required": list(required),
        "additionalProperties": False,
    }


def options(*pairs: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"const": value, "title": es, "x-title-en": en} for value, es, en in pairs]


def evidence(code: str, name_es: str, name_en: str) -> dict[str, str]:
    return {"code": code, "name_es": name_es, "name_en": name_en}


DNI = evidence("dni", "DNI, NIE o pasaporte en vigor", "Valid ID card, NIE or passport")
PLACE = field(
    "Lugar exacto",
    "Exact place",
    help_es="Calle, número y una referencia cercana (un portal, una tienda).",
    help_en="Street, number and a nearby landmark (a doorway, a shop).",
    minLength=5,
    maxLength=200,
)


class ServiceDetails(NamedTuple):
    input_schema: dict[str, Any] | None = None
    cost_es: str = "Gratuito"
    cost_en: str = "Free"
    cost_amount: Decimal | None = None
    output_es: str = ""
    output_en: str = ""
    evidence: tuple[dict[str, str], ...] = ()
    reopen_if_unhappy: bool = False
    anonymous_reports: bool = False


SERVICE_DETAILS: Final[dict[str, ServiceDetails]] = {
    "desperfectos-calzada": ServiceDetails(
        input_schema=form(
            ("place", "damage"),
            place=PLACE,
            damage=field(
                "Tipo de desperfecto",
                "Kind of damage",
                oneOf=options(
                    ("bache", "Bache en la calzada", "Pothole in the road"),
                    ("acera", "Baldosa suelta o rota en la acera", "Loose or broken paving"),
                    ("alcantarilla", "Tapa de alcantarilla", "Drain cover"),
                    ("otro", "Otro", "Other"),
                ),
            ),
            dangerous=field("Supone un peligro inmediato", "It is an immediate danger", "boolean"),
            details=field("Descripción", "Description", maxLength=1000, **{"x-widget": "textarea"}),
        ),
        output_es="Reparación de la vía pública",
        output_en="Repair of the street",
        reopen_if_unhappy=True,
        anonymous_reports=True,
    ),
    "alumbrado-publico": ServiceDetails(
        input_schema=form(
            ("place",),
            place=PLACE,
            lamp_number=field(
                "Número de la farola",
                "Lamp-post number",
                help_es="Está pintado en el poste, si se ve.",
                help_en="It is painted on the post, if you can see it.",
                maxLength=20,
            ),
            lamps_out=field(
                "Farolas apagadas", "Lamps out", "integer", minimum=1, maximum=50, default=1
            ),
        ),
        output_es="Reparación del alumbrado",
        output_en="Street lighting repaired",
        reopen_if_unhappy=True,
        anonymous_reports=True,
    ),
    "recogida-enseres": ServiceDetails(
        input_schema=form(
            ("address", "items", "pickup_date"),
            address=field("Dirección de recogida", "Pick-up address", minLength=5, maxLength=300),
            items=field(
                "Qué hay que recoger",
                "What to collect",
                help_es="Por ejemplo: un sofá y dos sillas. Hasta 5 piezas.",
                help_en="For instance: a sofa and two chairs. Up to 5 pieces.",
                maxLength=500,
                **{"x-widget": "textarea"},
            ),
            pickup_date=field("Día preferido", "Preferred day", format="date"),
        ),
        output_es="Recogida en la puerta de casa",
        output_en="Collection at your door",
    ),
    "denuncia-ruidos": ServiceDetails(
        input_schema=form(
            ("place", "source"),
            place=PLACE,
            source=field(
                "Origen del ruido",
                "Source of the noise",
                oneOf=options(
                    ("vivienda", "Una vivienda", "A home"),
                    ("local", "Un bar o local", "A bar or venue"),
                    ("obra", "Una obra", "Building works"),
                    ("trafico", "Tráfico o vehículos", "Traffic or vehicles"),
                ),
            ),
            schedule=field("Cuándo se produce", "When it happens", maxLength=200),
        ),
        output_es="Inspección y, en su caso, expediente sancionador",
        output_en="Inspection and, where due, a penalty procedure",
    ),
    "inscripcion-nacimiento": ServiceDetails(
        input_schema=form(
            ("baby_name", "birth_date", "address"),
            baby_name=field("Nombre del bebé", "Baby's name", minLength=1, maxLength=100),
            baby_surnames=field("Apellidos del bebé", "Baby's surnames", maxLength=150),
            birth_date=field("Fecha de nacimiento", "Date of birth", format="date"),
            address=field(
                "Domicilio donde vivirá",
                "Address where the baby will live",
                minLength=5,
                maxLength=300,
            ),
        ),
        output_es="Inscripción en el padrón y volante de empadronamiento",
        output_en="Entry in the municipal register and a residence note",
        evidence=(
            evidence("libro-familia", "Libro de familia", "Family book"),
            DNI,
        ),
    ),
    "cambio-domicilio": ServiceDetails(
        input_schema=form(
            ("new_address", "moving_date", "people"),
            new_address=field("Nuevo domicilio", "New address", minLength=5, maxLength=300),
            moving_date=field("Fecha de la mudanza", "Moving date", format="date"),
            people=field(
                "Personas que se mudan",
                "Number of people moving",
                "integer",
                minimum=1,
                maximum=20,
                help_es="Incluida usted.",
                help_en="Yourself included.",
            ),
        ),
        output_es="Padrón actualizado con el nuevo domicilio",
        output_en="Register updated with the new address",
        evidence=(
            DNI,
            evidence(
                "titulo-vivienda",
                "Contrato de alquiler, escritura o autorización del titular",
                "Rental contract, deeds or the owner's authorisation",
            ),
        ),
    ),
    "certificado-empadronamiento": ServiceDetails(
        input_schema=form(
            ("kind", "purpose"),
            kind=field(
                "Tipo de documento",
                "Kind of document",
                oneOf=options(
                    ("volante", "Volante (informativo)", "Residence note (informative)"),
                    ("certificado", "Certificado (con firma)", "Certificate (signed)"),
                ),
            ),
            purpose=field(
                "Para qué lo necesita", "What you need it for", minLength=3, maxLength=200
            ),
            historical=field(
                "Con todos mis domicilios anteriores",
                "With all my previous addresses",
                "boolean",
            ),
        ),
        output_es="Certificado o volante de empadronamiento",
        output_en="Certificate or note of residence",
        evidence=(DNI,),
    ),
    "reserva-instalaciones": ServiceDetails(
        input_schema=form(
            ("facility", "day", "players"),
            facility=field(
                "Instalación",
                "Facility",
                oneOf=options(
                    ("padel", "Pista de pádel", "Padel court"),
                    ("tenis", "Pista de tenis", "Tennis court"),
                    ("futbol7", "Campo de fútbol 7", "7-a-side football pitch"),
                    ("pabellon", "Pabellón cubierto", "Sports hall"),
                ),
            ),
            day=field("Día", "Day", format="date"),
            players=field(
                "Número de jugadores", "Number of players", "integer", minimum=1, maximum=30
            ),
        ),
        cost_es="Pádel y tenis, 6 € la hora; fútbol 7 y pabellón, 25 € la hora",
        cost_en="Padel and tennis, €6 an hour; football and sports hall, €25 an hour",
        cost_amount=Decimal("6.00"),
        output_es="Reserva confirmada",
        output_en="Confirmed booking",
    ),
    "tarjeta-residentes": ServiceDetails(
        input_schema=form(
            ("plate",),
            plate=field(
                "Matrícula",
                "Number plate",
                pattern="^[0-9]{4} ?[A-Z]{3}$",
                help_es="Por ejemplo: 1234 BCD.",
                help_en="For instance: 1234 BCD.",
                maxLength=8,
            ),
        ),
        cost_es="25 € al año",
        cost_en="€25 a year",
        cost_amount=Decimal("25.00"),
        output_es="Tarjeta de residente para la zona regulada",
        output_en="Residents' parking permit",
        evidence=(
            DNI,
            evidence("permiso-circulacion", "Permiso de circulación", "Vehicle registration"),
        ),
    ),
    "vado-permanente": ServiceDetails(
        cost_es="Tasa anual de 60 € por metro lineal de vado",
        cost_en="Yearly fee of €60 per metre of dropped kerb",
        cost_amount=Decimal("60.00"),
        output_es="Licencia y placa de vado",
        output_en="Licence and sign",
        evidence=(DNI, evidence("plano", "Plano de situación", "Site plan")),
    ),
    "licencia-obra-menor": ServiceDetails(
        cost_es="Impuesto de construcciones (ICIO), 3,5 % del presupuesto",
        cost_en="Building tax (ICIO), 3.5% of the budget",
        output_es="Licencia de obra menor",
        output_en="Minor works permit",
        evidence=(
            DNI,
            evidence("presupuesto", "Presupuesto de la obra", "Quote for the works"),
        ),
    ),
    "cita-dni-pasaporte": ServiceDetails(
        cost_es="DNI, 12 €; pasaporte, 30 € (tasas estatales)",
        cost_en="ID card, €12; passport, €30 (national fees)",
        cost_amount=Decimal("12.00"),
        output_es="Cita en la oficina de expedición",
        output_en="Appointment at the issuing office",
        evidence=(
            evidence("foto", "Fotografía reciente en color", "Recent colour photograph"),
            evidence(
                "certificado-empadronamiento",
                "Certificado de empadronamiento (primera vez o cambio de domicilio)",
                "Certificate of residence (first time or new address)",
            ),
        ),
    ),
    "informacion-permiso-conducir": ServiceDetails(
        cost_es="Tasa de la DGT para obtener el permiso: 94,05 €",
        cost_en="DGT fee to obtain the licence: €94.05",
        cost_amount=Decimal("94.05"),
        output_es="Información sobre requisitos, exámenes y tasas",
        output_en="Information on requirements, tests and fees",
    ),
}


class HolidaySpec(NamedTuple):
    agency: str
    day: date
    name_es: str
    name_en: str


_NATIONAL: Final = (
    ("01-01", "Año Nuevo", "New Year's Day"),
    ("01-06", "Epifanía del Señor", "Epiphany"),
    ("05-01", "Fiesta del Trabajo", "Labour Day"),
    ("08-15", "Asunción de la Virgen", "Assumption Day"),
    ("10-12", "Fiesta Nacional de España", "National Day of Spain"),
    ("11-01", "Todos los Santos", "All Saints' Day"),
    ("12-06", "Día de la Constitución", "Constitution Day"),
    ("12-08", "Inmaculada Concepción", "Immaculate Conception"),
    ("12-25", "Natividad del Señor", "Christmas Day"),
)
_GOOD_FRIDAY: Final = {2026: date(2026, 4, 3), 2027: date(2027, 3, 26)}

HOLIDAYS: Final[tuple[HolidaySpec, ...]] = (
    *(
        HolidaySpec("villanueva", date.fromisoformat(f"{year}-{day}"), name_es, name_en)
        for year in (2026, 2027)
        for day, name_es, name_en in _NATIONAL
    ),
    *(
        HolidaySpec("villanueva", day, "Viernes Santo", "Good Friday")
        for day in _GOOD_FRIDAY.values()
    ),
    HolidaySpec("ayto", date(2026, 5, 15), "San Isidro Labrador", "Saint Isidore's Day"),
    HolidaySpec("ayto", date(2026, 9, 8), "Fiestas patronales", "Town festival"),
    HolidaySpec("ayto", date(2027, 5, 14), "San Isidro Labrador", "Saint Isidore's Day"),
    HolidaySpec("ayto", date(2027, 9, 8), "Fiestas patronales", "Town festival"),
)


class ArticleSpec(NamedTuple):
    code: str
    title_es: str
    title_en: str
    body_es: str
    body_en: str
    keywords: str
    services: tuple[str, ...]


ARTICLES: Final[tuple[ArticleSpec, ...]] = (
    ArticleSpec(
        "volante-o-certificado",
        "¿Volante o certificado de empadronamiento?",
        "Residence note or certificate?",
        "El volante informa del domicilio y basta para casi todos los trámites municipales. "
        "El certificado lleva firma y se pide para trámites ante otras administraciones, "
        "juzgados o consulados. Los dos son gratuitos y se obtienen al momento en la sede "
        "electrónica o en el quiosco con el DNI.",
        "The note states your address and is enough for almost every municipal procedure. "
        "The certificate is signed and is asked for by other administrations, courts or "
        "consulates. Both are free and issued at once on the website or at the kiosk with "
        "your ID card.",
        "padrón volante certificado domicilio residencia",
        ("certificado-empadronamiento",),
    ),
    ArticleSpec(
        "empadronar-sin-contrato",
        "Empadronarse sin contrato de alquiler",
        "Registering without a rental contract",
        "Si vive en una vivienda sin contrato a su nombre, el titular puede autorizar el "
        "empadronamiento por escrito adjuntando copia de su DNI. Si no hay titular localizable, "
        "Servicios Sociales puede emitir un informe de residencia efectiva.",
        "If you live somewhere without a contract in your name, the holder can authorise the "
        "registration in writing with a copy of their ID. If no holder can be found, Social "
        "Services can report that you really live there.",
        "empadronamiento alquiler autorización titular vivienda",
        ("empadronamiento", "cambio-domicilio"),
    ),
    ArticleSpec(
        "recien-nacido-padron",
        "Empadronar a un recién nacido",
        "Registering a newborn",
        "Tras inscribir el nacimiento en el Registro Civil, empadrone al bebé en el domicilio "
        "de uno de los progenitores con el libro de familia o el certificado de nacimiento. "
        "Es gratuito y necesario para la tarjeta sanitaria y la prestación por nacimiento.",
        "After registering the birth at the Civil Registry, register the baby at one "
        "parent's address with the family book or the birth certificate. It is free and "
        "needed for the health card and the birth benefit.",
        "bebé nacimiento recién nacido padrón libro de familia",
        ("inscripcion-nacimiento", "tarjeta-sanitaria", "prestacion-nacimiento"),
    ),
    ArticleSpec(
        "mudanza-que-hacer",
        "Me mudo dentro del municipio: qué hacer",
        "Moving within the town: what to do",
        "Comunique el cambio de domicilio en el padrón en los 15 días siguientes a la mudanza. "
        "El cambio se comunica de oficio a la Oficina del Censo Electoral y actualiza la "
        "dirección de los recibos municipales; cambie aparte el domicilio del permiso de "
        "circulación en la DGT.",
        "Report your new address to the register within 15 days of moving. The change "
        "reaches the electoral roll automatically and updates your municipal bills; change "
        "the address of your vehicle registration with the DGT separately.",
        "mudanza domicilio dirección padrón censo",
        ("cambio-domicilio",),
    ),
    ArticleSpec(
        "baches-plazos",
        "¿Cuánto tardan en arreglar un bache?",
        "How long does fixing a pothole take?",
        "Los desperfectos peligrosos se señalizan en 24 horas y se reparan en una semana; "
        "el resto se programa en el plazo del servicio. Indique el lugar exacto y, si puede, "
        "adjunte una foto: evita una visita de inspección.",
        "Dangerous damage is signposted within 24 hours and repaired within a week; the "
        "rest is scheduled within the service's deadline. Give the exact place and, if you "
        "can, a photo: it saves an inspection visit.",
        "bache acera calzada reparación plazo",
        ("desperfectos-calzada",),
    ),
    ArticleSpec(
        "farola-apagada",
        "Farolas apagadas: cómo avisar",
        "Street lights out: how to report",
        "Avise con la dirección y, si lo ve, el número pintado en la farola. Si hay cables "
        "a la vista llame al 112. Las averías de un tramo entero suelen ser de la compañía "
        "eléctrica y se tramitan con ella.",
        "Report the address and, if you can see it, the number painted on the post. If "
        "wires are exposed call 112. Outages of a whole stretch are usually the power "
        "company's and are handled with them.",
        "farola alumbrado luz apagada avería",
        ("alumbrado-publico",),
    ),
    ArticleSpec(
        "recogida-muebles",
        "Recogida gratuita de muebles y enseres",
        "Free collection of furniture",
        "El servicio recoge hasta cinco piezas por domicilio una vez al mes, sin coste. "
        "Sáquelas a la puerta la noche anterior al día confirmado. Electrodomésticos y "
        "escombros van al punto limpio.",
        "The service collects up to five pieces per home once a month, free of charge. Put "
        "them out the night before the confirmed day. Appliances and rubble go to the "
        "recycling centre.",
        "muebles enseres sofá colchón recogida punto limpio",
        ("recogida-enseres",),
    ),
    ArticleSpec(
        "ruido-vecinos",
        "Ruido de vecinos por la noche",
        "Noise from neighbours at night",
        "Entre las 23:00 y las 7:00 puede llamar a la Policía Local para que acuda en el "
        "momento. Para molestias repetidas presente una denuncia indicando el origen y el "
        "horario; se hará una medición.",
        "Between 11 pm and 7 am you can call the Local Police to come at once. For repeated "
        "nuisance file a complaint giving the source and times; a measurement will follow.",
        "ruido vecinos noche policía molestias",
        ("denuncia-ruidos",),
    ),
    ArticleSpec(
        "dni-primera-vez",
        "Sacar el DNI por primera vez",
        "Getting an ID card for the first time",
        "Pida cita en la oficina de expedición. Lleve una fotografía reciente, el certificado "
        "de nacimiento literal y el certificado de empadronamiento. La tasa es de 12 € y el "
        "documento se entrega en el acto.",
        "Book an appointment at the issuing office. Bring a recent photograph, the full "
        "birth certificate and a certificate of residence. The fee is €12 and the card is "
        "handed over on the spot.",
        "dni documento identidad cita tasa foto",
        ("cita-dni-pasaporte", "certificado-empadronamiento"),
    ),
    ArticleSpec(
        "pasaporte-urgente",
        "Pasaporte para un viaje próximo",
        "A passport for an upcoming trip",
        "El pasaporte se expide en la misma cita que el DNI, con una tasa de 30 €. Si viaja "
        "en menos de una semana, pida cita urgente en la oficina de expedición con el "
        "billete como justificante.",
        "The passport is issued at the same appointment as the ID card, for a €30 fee. If "
        "you travel within a week, ask for an urgent appointment showing your ticket.",
        "pasaporte viaje urgente cita tasa",
        ("cita-dni-pasaporte",),
    ),
    ArticleSpec(
        "tarjeta-residentes-requisitos",
        "Tarjeta de aparcamiento para residentes",
        "Residents' parking permit",
        "Pueden pedirla las personas empadronadas en la zona regulada con un vehículo a su "
        "nombre y el impuesto de circulación pagado en Villanueva del Río. Cuesta 25 € al año.",
        "People registered in the regulated zone with a vehicle in their name and the road "
        "tax paid in Villanueva del Río may apply. It costs €25 a year.",
        "aparcamiento residentes zona azul coche matrícula",
        ("tarjeta-residentes", "pago-tributos"),
    ),
    ArticleSpec(
        "plazos-dias-habiles",
        "Cómo se cuentan los plazos",
        "How deadlines are counted",
        "Los plazos de respuesta se cuentan en días hábiles: no cuentan sábados, domingos ni "
        "festivos nacionales, autonómicos o locales. Un aviso presentado en festivo cuenta "
        "desde el siguiente día hábil.",
        "Response deadlines count working days: Saturdays, Sundays and national, regional "
        "and local holidays do not count. A request made on a holiday counts from the next "
        "working day.",
        "plazo días hábiles festivos respuesta",
        ("quejas-sugerencias",),
    ),
)
