"""Reference data of the synthetic administration "Villanueva del Río": its agencies and
departments, the life and business events, the public services and the demo staff.

``ensure_catalogue()`` writes it through the catalogue and access services, so it is safe to run
any number of times.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction

from ventanilla.access.services import staff_member_ensure
from ventanilla.cases.models import RoutingRule
from ventanilla.cases.routing import forget_rules
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.services import (
    agency_ensure,
    channels_ensure,
    holiday_ensure,
    knowledge_article_ensure,
    life_event_ensure,
    service_ensure,
)
from ventanilla.demo.catalogue_details import (
    ARTICLES,
    HOLIDAYS,
    SERVICE_DETAILS,
    ServiceDetails,
)
from ventanilla.demo.offices import ensure_offices

DEMO_PASSWORD: Final = "ventanilla-demo-2026"  # noqa: S105 - printed by `ventanilla demo`
ADMINISTRATION: Final = "villanueva"


class AgencySpec(NamedTuple):
    code: str
    kind: str
    name_es: str
    name_en: str
    parent: str | None


class LifeEventSpec(NamedTuple):
    code: str
    kind: str
    name_es: str
    name_en: str
    description_es: str


class ServiceSpec(NamedTuple):
    code: str
    name_es: str
    name_en: str
    description_es: str
    description_en: str
    department: str
    deadline_days: int
    channels: tuple[str, ...]
    life_events: tuple[str, ...]


class StaffSpec(NamedTuple):
    username: str
    first_name: str
    agency: str
    role: str
    description: str


# Parents come before their children.
AGENCIES: Final[tuple[AgencySpec, ...]] = (
    AgencySpec("villanueva", "administration", "Villanueva del Río", "Villanueva del Río", None),
    AgencySpec(
        "ayto",
        "agency",
        "Ayuntamiento de Villanueva del Río",
        "Villanueva del Río Town Hall",
        "villanueva",
    ),
    AgencySpec("padron", "department", "Padrón y Registro", "Register and records", "ayto"),
    AgencySpec("urbanismo", "department", "Urbanismo", "Planning", "ayto"),
    AgencySpec("servicios-sociales", "department", "Servicios Sociales", "Social services", "ayto"),
    AgencySpec("hacienda", "department", "Hacienda y Tributos", "Finance and local taxes", "ayto"),
    AgencySpec(
        "medio-ambiente",
        "department",
        "Medio Ambiente y Limpieza",
        "Environment and street cleaning",
        "ayto",
    ),
    AgencySpec("movilidad", "department", "Movilidad y Tráfico", "Mobility and traffic", "ayto"),
    AgencySpec("educacion", "department", "Educación", "Education", "ayto"),
    AgencySpec(
        "cultura-deportes", "department", "Cultura y Deportes", "Culture and sports", "ayto"
    ),
    AgencySpec(
        "atencion-ciudadana",
        "department",
        "Atención Ciudadana (010)",
        "Citizen service desk (010)",
        "ayto",
    ),
    AgencySpec(
        "salud", "agency", "Servicio Regional de Salud", "Regional Health Service", "villanueva"
    ),
    AgencySpec(
        "cs-villanueva-norte",
        "department",
        "Centro de Salud Villanueva Norte",
        "Villanueva North Health Centre",
        "salud",
    ),
    AgencySpec(
        "cs-villanueva-sur",
        "department",
        "Centro de Salud Villanueva Sur",
        "Villanueva South Health Centre",
        "salud",
    ),
    AgencySpec(
        "seguridad-social",
        "agency",
        "Oficina de la Seguridad Social",
        "Social Security Office",
        "villanueva",
    ),
    AgencySpec(
        "empleo",
        "agency",
        "Servicio Regional de Empleo",
        "Regional Employment Service",
        "villanueva",
    ),
)

LIFE_EVENTS: Final[tuple[LifeEventSpec, ...]] = (
    LifeEventSpec(
        "nacimiento",
        "life",
        "Nacimiento e inscripción",
        "Birth and civil registration",
        "Inscribir al recién nacido, empadronarlo y pedir las prestaciones.",
    ),
    LifeEventSpec(
        "afiliacion-seguridad-social",
        "life",
        "Afiliación a la Seguridad Social",
        "Social security enrolment",
        "Obtener el número de la Seguridad Social.",
    ),
    LifeEventSpec(
        "atencion-sanitaria",
        "life",
        "Atención sanitaria",
        "Healthcare",
        "Tarjeta sanitaria, médico de familia y citas.",
    ),
    LifeEventSpec(
        "inicio-escolarizacion",
        "life",
        "Empezar el colegio",
        "Starting school",
        "Escuela infantil, admisión escolar y ayudas.",
    ),
    LifeEventSpec(
        "estudios-universitarios",
        "life",
        "Empezar la universidad",
        "Starting university",
        "Ayudas y servicios para estudiantes universitarios.",
    ),
    LifeEventSpec(
        "contrato-trabajo",
        "life",
        "Contrato de trabajo",
        "Employment contract",
        "Alta en la Seguridad Social y comunicación del contrato.",
    ),
    LifeEventSpec(
        "perdida-empleo",
        "life",
        "Pérdida del empleo",
        "Job loss",
        "Prestación por desempleo, demanda de empleo y ayudas.",
    ),
    LifeEventSpec(
        "jubilacion",
        "life",
        "Jubilación",
        "Retirement",
        "Pensión y servicios para personas mayores.",
    ),
    LifeEventSpec(
        "documento-identidad",
        "life",
        "Documento de identidad",
        "Identity card",
        "Obtener o renovar el DNI y los certificados que lo acompañan.",
    ),
    LifeEventSpec(
        "permiso-conducir",
        "life",
        "Permiso de conducir",
        "Driving licence",
        "Trámites ligados al permiso y al vehículo.",
    ),
    LifeEventSpec("pasaporte", "life", "Pasaporte", "Passport", "Obtener o renovar el pasaporte."),
    LifeEventSpec(
        "cambio-domicilio",
        "life",
        "Cambio de domicilio",
        "Moving house",
        "Padrón, recibos, médico y servicios del nuevo barrio.",
    ),
    LifeEventSpec(
        "matrimonio",
        "life",
        "Matrimonio",
        "Marriage",
        "Boda civil, inscripción y parejas de hecho.",
    ),
    LifeEventSpec(
        "divorcio", "life", "Divorcio", "Divorce", "Mediación familiar y cambios en el padrón."
    ),
    LifeEventSpec(
        "hijos",
        "life",
        "Tener hijos",
        "Having children",
        "Ayudas a familias, escuelas infantiles y actividades.",
    ),
    LifeEventSpec(
        "adopcion",
        "life",
        "Adopción y acogimiento",
        "Adoption",
        "Información y acompañamiento en la adopción y el acogimiento.",
    ),
    LifeEventSpec(
        "impuestos",
        "life",
        "Pagar impuestos",
        "Taxes",
        "Tributos municipales, domiciliaciones, bonificaciones y aplazamientos.",
    ),
    LifeEventSpec("multas", "life", "Multas", "Fines", "Pagar o recurrir una multa."),
    LifeEventSpec(
        "participacion-politica",
        "life",
        "Participación política",
        "Political participation",
        "Censo electoral, presupuestos participativos, quejas y sugerencias.",
    ),
    LifeEventSpec(
        "defuncion",
        "life",
        "Fallecimiento",
        "Death",
        "Trámites tras el fallecimiento de un familiar.",
    ),
    LifeEventSpec(
        "vivir-en-el-barrio",
        "life",
        "Vivir en el municipio",
        "Living in town",
        "Avisos de incidencias, limpieza, ruidos e instalaciones municipales.",
    ),
    LifeEventSpec(
        "creacion-empresa",
        "business",
        "Crear una empresa",
        "Starting a business",
        "Licencias de actividad, ayudas al emprendimiento y contratación.",
    ),
    LifeEventSpec(
        "cierre-empresa",
        "business",
        "Cerrar una empresa",
        "Closing a business",
        "Cese de actividad y bajas.",
    ),
)

# The portal shows the events in the order of a life, not of their codes: being born and
# looked after, school, papers, work, a home, a family, the duties of a neighbour, the end of
# working life and of life; then a business's beginning and end.
LIFE_ORDER: Final[tuple[str, ...]] = (
    "nacimiento",
    "atencion-sanitaria",
    "inicio-escolarizacion",
    "estudios-universitarios",
    "documento-identidad",
    "pasaporte",
    "permiso-conducir",
    "afiliacion-seguridad-social",
    "contrato-trabajo",
    "cambio-domicilio",
    "vivir-en-el-barrio",
    "matrimonio",
    "hijos",
    "adopcion",
    "divorcio",
    "impuestos",
    "multas",
    "participacion-politica",
    "perdida-empleo",
    "jubilacion",
    "defuncion",
    "creacion-empresa",
    "cierre-empresa",
)

_ALL = ("web", "kiosk", "email", "phone", "desk", "app", "post")

SERVICES: Final[tuple[ServiceSpec, ...]] = (
    ServiceSpec(
        "empadronamiento",
        "Alta en el padrón municipal",
        "Registering as a resident",
        "Inscripción en el padrón de quien viene a vivir a Villanueva del Río.",
        "Registering in the municipal roll when coming to live in Villanueva del Río.",
        "padron",
        5,
        ("web", "desk", "kiosk"),
        ("cambio-domicilio", "nacimiento"),
    ),
    ServiceSpec(
        "cambio-domicilio",
        "Cambio de domicilio en el padrón",
        "Change of address",
        "Actualizar el domicilio dentro del municipio.",
        "Updating your address within the town.",
        "padron",
        5,
        ("web", "desk", "kiosk", "app"),
        ("cambio-domicilio", "divorcio"),
    ),
    ServiceSpec(
        "certificado-empadronamiento",
        "Certificado de empadronamiento",
        "Certificate of residence",
        "Volante o certificado que acredita el domicilio.",
        "A document proving where you live.",
        "padron",
        2,
        ("web", "kiosk", "desk", "app"),
        (
            "cambio-domicilio",
            "documento-identidad",
            "pasaporte",
            "matrimonio",
            "inicio-escolarizacion",
        ),
    ),
    ServiceSpec(
        "inscripcion-nacimiento",
        "Empadronamiento de recién nacidos",
        "Registering a newborn",
        "Alta en el padrón del recién nacido en el domicilio de sus progenitores.",
        "Registering a newborn at the parents' address.",
        "padron",
        5,
        ("desk", "web"),
        ("nacimiento", "hijos"),
    ),
    ServiceSpec(
        "baja-padron-defuncion",
        "Baja en el padrón por defunción",
        "Removal from the register after a death",
        "Comunicar el fallecimiento de un familiar empadronado.",
        "Reporting the death of a registered relative.",
        "padron",
        5,
        ("desk", "post"),
        ("defuncion",),
    ),
    ServiceSpec(
        "inscripcion-matrimonio",
        "Celebración de matrimonio civil",
        "Civil wedding",
        "Solicitud de boda civil en el Ayuntamiento e inscripción.",
        "Booking a civil wedding at the town hall and registering it.",
        "padron",
        20,
        ("desk", "web"),
        ("matrimonio",),
    ),
    ServiceSpec(
        "pareja-de-hecho",
        "Registro de parejas de hecho",
        "Civil partnership register",
        "Inscripción de la unión de hecho en el registro municipal.",
        "Registering a civil partnership in the municipal register.",
        "padron",
        15,
        ("desk", "web"),
        ("matrimonio",),
    ),
    ServiceSpec(
        "censo-electoral",
        "Consulta y reclamación del censo electoral",
        "Electoral roll check and claim",
        "Comprobar la inscripción en el censo y pedir su corrección.",
        "Checking your entry in the electoral roll and asking for a correction.",
        "padron",
        5,
        ("web", "desk"),
        ("participacion-politica",),
    ),
    ServiceSpec(
        "licencia-obra-menor",
        "Licencia de obra menor",
        "Minor works permit",
        "Obras pequeñas en viviendas y locales: reformas interiores, fachadas.",
        "Small building works in homes and premises.",
        "urbanismo",
        10,
        ("web", "desk"),
        ("cambio-domicilio", "creacion-empresa"),
    ),
    ServiceSpec(
        "licencia-obra-mayor",
        "Licencia de obra mayor",
        "Building permit",
        "Obra nueva, ampliaciones y reformas estructurales.",
        "New buildings, extensions and structural works.",
        "urbanismo",
        60,
        ("web", "desk"),
        ("cambio-domicilio", "creacion-empresa"),
    ),
    ServiceSpec(
        "licencia-actividad",
        "Declaración responsable de actividad",
        "Business activity licence",
        "Apertura de un comercio, oficina o establecimiento.",
        "Opening a shop, office or other premises.",
        "urbanismo",
        30,
        ("web", "desk", "api"),
        ("creacion-empresa",),
    ),
    ServiceSpec(
        "cese-actividad",
        "Comunicación de cese de actividad",
        "Closing a business activity",
        "Baja de la licencia de actividad de un establecimiento.",
        "Cancelling the activity licence of premises.",
        "urbanismo",
        10,
        ("web", "desk"),
        ("cierre-empresa",),
    ),
    ServiceSpec(
        "ocupacion-via-publica",
        "Ocupación de la vía pública",
        "Use of public space",
        "Terrazas, andamios, contenedores de obra y mudanzas.",
        "Terraces, scaffolding, skips and removal vans.",
        "urbanismo",
        20,
        ("web", "desk"),
        ("creacion-empresa", "cambio-domicilio"),
    ),
    ServiceSpec(
        "alumbrado-publico",
        "Avería del alumbrado público",
        "Street lighting fault",
        "Aviso de farolas apagadas o dañadas.",
        "Reporting broken or unlit street lights.",
        "urbanismo",
        5,
        ("app", "web", "phone", "api"),
        ("vivir-en-el-barrio",),
    ),
    ServiceSpec(
        "recogida-enseres",
        "Recogida de muebles y enseres",
        "Bulky waste collection",
        "Recogida gratuita a domicilio de muebles y electrodomésticos.",
        "Free collection of furniture and appliances from your door.",
        "medio-ambiente",
        5,
        ("web", "phone", "app"),
        ("cambio-domicilio",),
    ),
    ServiceSpec(
        "limpieza-via-publica",
        "Aviso de limpieza viaria",
        "Street cleaning report",
        "Suciedad, contenedores desbordados o pintadas en la calle.",
        "Dirty streets, overflowing bins or graffiti.",
        "medio-ambiente",
        3,
        ("app", "web", "phone", "api"),
        ("vivir-en-el-barrio",),
    ),
    ServiceSpec(
        "denuncia-ruidos",
        "Denuncia por ruidos",
        "Noise complaint",
        "Molestias por ruido de locales, obras o vecinos.",
        "Noise from bars, building works or neighbours.",
        "medio-ambiente",
        10,
        ("phone", "web", "app"),
        ("vivir-en-el-barrio",),
    ),
    ServiceSpec(
        "registro-animales",
        "Registro de animales de compañía",
        "Pet register",
        "Inscripción de perros, gatos y hurones en el censo municipal.",
        "Registering dogs, cats and ferrets in the municipal register.",
        "medio-ambiente",
        10,
        ("web", "desk"),
        ("cambio-domicilio",),
    ),
    ServiceSpec(
        "cementerio",
        "Servicios del cementerio municipal",
        "Municipal cemetery",
        "Concesión de sepulturas y nichos, inhumaciones.",
        "Graves, niches and burials.",
        "medio-ambiente",
        3,
        ("desk", "phone"),
        ("defuncion",),
    ),
    ServiceSpec(
        "pago-tributos",
        "Pago de tributos municipales",
        "Paying local taxes",
        "IBI, impuesto de vehículos, tasa de basuras y otros recibos.",
        "Property tax, vehicle tax, waste charge and other bills.",
        "hacienda",
        1,
        ("web", "app", "desk", "kiosk"),
        ("impuestos",),
    ),
    ServiceSpec(
        "bonificacion-ibi",
        "Bonificación del IBI",
        "Property tax rebate",
        "Reducción del IBI para familias numerosas y viviendas con energía solar.",
        "Property tax rebate for large families and solar-powered homes.",
        "hacienda",
        30,
        ("web", "desk"),
        ("impuestos", "hijos"),
    ),
    ServiceSpec(
        "domiciliacion-recibos",
        "Domiciliación bancaria de recibos",
        "Direct debit of bills",
        "Pagar los tributos municipales por domiciliación.",
        "Paying local taxes by direct debit.",
        "hacienda",
        5,
        ("web", "desk", "post"),
        ("impuestos", "cambio-domicilio"),
    ),
    ServiceSpec(
        "aplazamiento-deudas",
        "Aplazamiento y fraccionamiento de deudas",
        "Deferred payment of tax debts",
        "Pagar en plazos las deudas con el Ayuntamiento.",
        "Paying debts to the town hall in instalments.",
        "hacienda",
        30,
        ("web", "desk"),
        ("impuestos", "perdida-empleo"),
    ),
    ServiceSpec(
        "plusvalia",
        "Impuesto sobre el incremento de valor de los terrenos",
        "Land value increase tax",
        "Declaración de la plusvalía al vender, donar o heredar un inmueble.",
        "Declaring the land value tax when selling, donating or inheriting property.",
        "hacienda",
        30,
        ("web", "desk"),
        ("defuncion", "cambio-domicilio"),
    ),
    ServiceSpec(
        "recurso-multa-trafico",
        "Recurso contra multa de tráfico",
        "Appealing a traffic fine",
        "Alegaciones y recurso de reposición contra una sanción de tráfico.",
        "Objecting to and appealing a traffic fine.",
        "movilidad",
        30,
        ("web", "desk", "post"),
        ("multas", "permiso-conducir"),
    ),
    ServiceSpec(
        "pago-multa",
        "Pago de multa de tráfico",
        "Paying a traffic fine",
        "Pago con reducción del 50 % en los primeros 20 días.",
        "Payment with a 50% reduction within 20 days.",
        "movilidad",
        1,
        ("web", "app", "kiosk"),
        ("multas",),
    ),
    ServiceSpec(
        "tarjeta-residentes",
        "Tarjeta de aparcamiento para residentes",
        "Resident parking permit",
        "Aparcar en la zona regulada del propio barrio.",
        "Parking in the regulated zone of your own neighbourhood.",
        "movilidad",
        10,
        ("web", "desk"),
        ("cambio-domicilio", "permiso-conducir"),
    ),
    ServiceSpec(
        "vado-permanente",
        "Licencia de vado permanente",
        "Dropped kerb licence",
        "Reserva de acceso de vehículos a un garaje.",
        "Keeping a garage entrance clear.",
        "movilidad",
        30,
        ("web", "desk"),
        ("cambio-domicilio",),
    ),
    ServiceSpec(
        "desperfectos-calzada",
        "Desperfectos en calzada y aceras",
        "Road and pavement damage",
        "Baches, baldosas sueltas y señales dañadas.",
        "Potholes, loose paving stones and damaged signs.",
        "movilidad",
        10,
        ("app", "web", "phone", "api"),
        ("vivir-en-el-barrio",),
    ),
    ServiceSpec(
        "ayuda-emergencia-social",
        "Ayuda de emergencia social",
        "Emergency social aid",
        "Ayuda para alimentos, alquiler o suministros en situaciones urgentes.",
        "Help with food, rent or utilities in urgent situations.",
        "servicios-sociales",
        15,
        ("desk", "phone"),
        ("perdida-empleo", "hijos"),
    ),
    ServiceSpec(
        "ayuda-domicilio",
        "Servicio de ayuda a domicilio",
        "Home help service",
        "Apoyo en casa a personas mayores o dependientes.",
        "Support at home for older or dependent people.",
        "servicios-sociales",
        30,
        ("desk", "phone"),
        ("jubilacion",),
    ),
    ServiceSpec(
        "teleasistencia",
        "Teleasistencia",
        "Telecare",
        "Dispositivo de aviso para personas mayores que viven solas.",
        "An alarm service for older people who live alone.",
        "servicios-sociales",
        20,
        ("phone", "desk"),
        ("jubilacion",),
    ),
    ServiceSpec(
        "valoracion-dependencia",
        "Valoración de la dependencia",
        "Dependency assessment",
        "Reconocimiento del grado de dependencia y de las prestaciones.",
        "Assessing the degree of dependency and the benefits it gives.",
        "servicios-sociales",
        90,
        ("desk", "post"),
        ("jubilacion",),
    ),
    ServiceSpec(
        "mediacion-familiar",
        "Mediación familiar",
        "Family mediation",
        "Acompañamiento en separaciones y divorcios con hijos.",
        "Support in separations and divorces with children.",
        "servicios-sociales",
        30,
        ("desk", "phone"),
        ("divorcio", "hijos"),
    ),
    ServiceSpec(
        "adopcion-acogimiento",
        "Información sobre adopción y acogimiento",
        "Adoption and fostering information",
        "Sesiones informativas y acompañamiento a familias.",
        "Information sessions and support for families.",
        "servicios-sociales",
        60,
        ("desk", "phone"),
        ("adopcion", "hijos"),
    ),
    ServiceSpec(
        "escuela-infantil",
        "Matrícula en escuela infantil municipal",
        "Municipal nursery place",
        "Plaza en escuela infantil de 0 a 3 años.",
        "A nursery place for children aged 0 to 3.",
        "educacion",
        20,
        ("web", "desk"),
        ("hijos", "inicio-escolarizacion", "nacimiento"),
    ),
    ServiceSpec(
        "admision-escolar",
        "Solicitud de admisión escolar",
        "School admission",
        "Plaza en colegios públicos y concertados del municipio.",
        "A place in the town's state and state-funded schools.",
        "educacion",
        30,
        ("web", "desk"),
        ("inicio-escolarizacion", "hijos"),
    ),
    ServiceSpec(
        "becas-comedor",
        "Ayudas de comedor y material escolar",
        "School meals and books aid",
        "Ayudas para el comedor y los libros de texto.",
        "Help with school meals and textbooks.",
        "educacion",
        30,
        ("web",),
        ("inicio-escolarizacion", "hijos"),
    ),
    ServiceSpec(
        "transporte-universitario",
        "Ayuda al transporte universitario",
        "University transport grant",
        "Bono de transporte para estudiantes universitarios empadronados.",
        "A transport pass for registered university students.",
        "educacion",
        30,
        ("web", "app"),
        ("estudios-universitarios",),
    ),
    ServiceSpec(
        "escuelas-deportivas",
        "Inscripción en escuelas deportivas municipales",
        "Municipal sports schools",
        "Actividades deportivas para niños, jóvenes y mayores.",
        "Sports for children, young people and seniors.",
        "cultura-deportes",
        10,
        ("web", "app", "desk"),
        ("hijos", "vivir-en-el-barrio"),
    ),
    ServiceSpec(
        "reserva-instalaciones",
        "Reserva de instalaciones deportivas",
        "Booking sports facilities",
        "Pistas de pádel, tenis, fútbol y piscina.",
        "Padel and tennis courts, football pitches and the pool.",
        "cultura-deportes",
        2,
        ("web", "app", "kiosk"),
        ("vivir-en-el-barrio",),
    ),
    ServiceSpec(
        "carne-biblioteca",
        "Carné de la biblioteca municipal",
        "Library card",
        "Préstamo de libros, salas de estudio y wifi.",
        "Book loans, study rooms and wifi.",
        "cultura-deportes",
        2,
        ("desk", "web"),
        ("inicio-escolarizacion", "estudios-universitarios"),
    ),
    ServiceSpec(
        "cita-dni-pasaporte",
        "Información y cita para DNI y pasaporte",
        "Identity card and passport appointments",
        "Qué llevar y cómo pedir cita para el DNI o el pasaporte.",
        "What to bring and how to book an identity card or passport appointment.",
        "atencion-ciudadana",
        1,
        ("phone", "web", "desk"),
        ("documento-identidad", "pasaporte"),
    ),
    ServiceSpec(
        "informacion-permiso-conducir",
        "Información sobre el permiso de conducir",
        "Driving licence information",
        "Renovación, canje y duplicados del permiso de conducir.",
        "Renewing, exchanging and replacing a driving licence.",
        "atencion-ciudadana",
        1,
        ("phone", "web", "desk"),
        ("permiso-conducir",),
    ),
    ServiceSpec(
        "quejas-sugerencias",
        "Quejas y sugerencias",
        "Complaints and suggestions",
        "Cualquier queja o sugerencia sobre los servicios municipales.",
        "Any complaint or suggestion about the town's services.",
        "atencion-ciudadana",
        20,
        _ALL,
        ("participacion-politica", "vivir-en-el-barrio"),
    ),
    ServiceSpec(
        "presupuestos-participativos",
        "Propuesta a los presupuestos participativos",
        "Participatory budgeting proposal",
        "Proponer y apoyar inversiones para el barrio.",
        "Proposing and supporting investments in your neighbourhood.",
        "atencion-ciudadana",
        60,
        ("web", "app", "desk"),
        ("participacion-politica",),
    ),
    ServiceSpec(
        "tarjeta-sanitaria",
        "Tarjeta sanitaria individual",
        "Health card",
        "Alta en el sistema sanitario y emisión de la tarjeta.",
        "Joining the health system and getting the card.",
        "salud",
        10,
        ("desk", "web", "app"),
        ("atencion-sanitaria", "nacimiento", "cambio-domicilio"),
    ),
    ServiceSpec(
        "cita-medico",
        "Cita con el médico de familia",
        "GP appointment",
        "Cita presencial o telefónica en el centro de salud.",
        "An appointment at the health centre or by phone.",
        "salud",
        2,
        ("app", "web", "phone", "desk"),
        ("atencion-sanitaria",),
    ),
    ServiceSpec(
        "cambio-medico",
        "Cambio de médico o centro de salud",
        "Changing GP or health centre",
        "Elegir otro médico de familia o pediatra.",
        "Choosing another GP or paediatrician.",
        "salud",
        10,
        ("web", "desk"),
        ("atencion-sanitaria", "cambio-domicilio"),
    ),
    ServiceSpec(
        "numero-afiliacion",
        "Número de la Seguridad Social",
        "Social security number",
        "Obtener el número de afiliación para trabajar.",
        "Getting a number to work.",
        "seguridad-social",
        10,
        ("web", "desk"),
        ("afiliacion-seguridad-social", "contrato-trabajo"),
    ),
    ServiceSpec(
        "informe-vida-laboral",
        "Informe de vida laboral",
        "Employment history report",
        "Certificado de los periodos cotizados.",
        "A record of the periods you paid in.",
        "seguridad-social",
        2,
        ("web", "app", "post"),
        ("contrato-trabajo", "jubilacion"),
    ),
    ServiceSpec(
        "prestacion-nacimiento",
        "Prestación por nacimiento y cuidado de menor",
        "Birth and childcare benefit",
        "Permiso retribuido de los progenitores tras el nacimiento o la adopción.",
        "Paid leave for parents after a birth or adoption.",
        "seguridad-social",
        30,
        ("web", "desk"),
        ("nacimiento", "adopcion", "hijos"),
    ),
    ServiceSpec(
        "pension-jubilacion",
        "Pensión de jubilación",
        "Retirement pension",
        "Solicitud de la pensión contributiva de jubilación.",
        "Applying for the contributory retirement pension.",
        "seguridad-social",
        90,
        ("web", "desk"),
        ("jubilacion",),
    ),
    ServiceSpec(
        "pension-viudedad",
        "Pensión de viudedad",
        "Widow's and widower's pension",
        "Pensión para el cónyuge o pareja de hecho superviviente.",
        "A pension for the surviving spouse or partner.",
        "seguridad-social",
        90,
        ("desk", "web"),
        ("defuncion",),
    ),
    ServiceSpec(
        "prestacion-desempleo",
        "Prestación por desempleo",
        "Unemployment benefit",
        "Solicitud del paro tras perder el empleo.",
        "Claiming benefit after losing a job.",
        "empleo",
        15,
        ("web", "desk"),
        ("perdida-empleo",),
    ),
    ServiceSpec(
        "demanda-empleo",
        "Inscripción como demandante de empleo",
        "Registering as a job seeker",
        "Alta y renovación de la demanda de empleo.",
        "Registering and renewing as a job seeker.",
        "empleo",
        5,
        ("web", "desk", "app"),
        ("perdida-empleo", "contrato-trabajo", "estudios-universitarios"),
    ),
    ServiceSpec(
        "comunicacion-contrato",
        "Comunicación de contratos",
        "Reporting employment contracts",
        "Comunicación del contenido de los contratos de trabajo.",
        "Reporting the content of employment contracts.",
        "empleo",
        5,
        ("api", "web"),
        ("contrato-trabajo", "creacion-empresa"),
    ),
    ServiceSpec(
        "ayuda-autonomos",
        "Ayuda al inicio de actividad de autónomos",
        "Start-up grant for the self-employed",
        "Subvención para quien se da de alta como autónomo.",
        "A grant for people becoming self-employed.",
        "empleo",
        60,
        ("web",),
        ("creacion-empresa", "perdida-empleo"),
    ),
)

STAFF: Final[tuple[StaffSpec, ...]] = (
    StaffSpec("agente", "Lucía", "ayto", "agent", "front-line agent, town hall"),
    StaffSpec("tramitador", "Javier", "urbanismo", "case_worker", "case worker, planning"),
    StaffSpec("supervisora", "Carmen", "ayto", "supervisor", "supervisor, town hall"),
    StaffSpec("analista", "Pablo", ADMINISTRATION, "analyst", "analyst, whole administration"),
    StaffSpec("dpd", "Elena", ADMINISTRATION, "dpo", "data-protection officer"),
    StaffSpec("admin", "Admin", ADMINISTRATION, "administrator", "administrator and superuser"),
)

# (username, what the account is), as ``ventanilla demo`` prints them.
DEMO_STAFF: Final[tuple[tuple[str, str], ...]] = tuple(
    (staff.username, staff.description) for staff in STAFF
)


class RoutingRuleSpec(NamedTuple):
    position: int
    name: str
    service: str
    district: str
    keywords: str
    party_condition: str
    department: str
    priority: str


# A few rules, to show routing at work; administrators edit them in the admin.
ROUTING_RULES: Final[tuple[RoutingRuleSpec, ...]] = (
    RoutingRuleSpec(10, "Peligro en la vía pública: urgente", "", "",
                    "peligro, socavón, derrumbe, hundimiento", "", "urbanismo", "urgent"),
    RoutingRuleSpec(20, "Ruido de madrugada: prioridad alta", "denuncia-ruidos", "",
                    "madrugada, noche, fiesta", "", "medio-ambiente", "high"),
    RoutingRuleSpec(30, "Ayuda de emergencia a mayores: prioridad alta",
                    "ayuda-emergencia-social", "", "", "senior", "servicios-sociales", "high"),
    RoutingRuleSpec(40, "Calzada del Centro: Urbanismo", "desperfectos-calzada", "Centro", "", "",
                    "urbanismo", ""),
)  # fmt: skip


# The personal data a request needs beyond identity and contact, by service: an open case opens
# only these sensitive facts to the staff who handle it.
DATA_NEEDED: dict[str, tuple[str, ...]] = {
    "ayuda-emergencia-social": ("income", "family"),
    "ayuda-domicilio": ("health", "disability", "family"),
    "teleasistencia": ("health", "disability"),
    "valoracion-dependencia": ("health", "disability", "income"),
    "mediacion-familiar": ("family",),
    "adopcion-acogimiento": ("family", "income"),
    "becas-comedor": ("income", "family"),
    "bonificacion-ibi": ("income", "family"),
    "aplazamiento-deudas": ("income",),
    "tarjeta-sanitaria": ("health",),
    "cita-medico": ("health",),
    "cambio-medico": ("health",),
    "prestacion-nacimiento": ("family", "employment"),
    "prestacion-desempleo": ("employment", "income"),
    "pension-jubilacion": ("employment", "income"),
    "pension-viudedad": ("family", "income"),
    "tarjeta-residentes": ("disability",),
}


def ensure_catalogue() -> None:
    """Create or bring up to date the administration, its services (with their forms, costs
    and evidence), its holidays, the knowledge base and the demo staff."""
    with transaction.atomic():
        channels_ensure()
        agencies: dict[str, Agency] = {}
        for spec in AGENCIES:
            agencies[spec.code] = agency_ensure(
                code=spec.code,
                kind=spec.kind,
                name_es=spec.name_es,
                name_en=spec.name_en,
                parent=agencies[spec.parent] if spec.parent else None,
            )
        events = {
            spec.code: life_event_ensure(
                code=spec.code,
                kind=spec.kind,
                name_es=spec.name_es,
                name_en=spec.name_en,
                description_es=spec.description_es,
                position=10 * (LIFE_ORDER.index(spec.code) + 1),
            )
            for spec in LIFE_EVENTS
        }
        services: dict[str, PublicService] = {}
        for service in SERVICES:
            details = SERVICE_DETAILS.get(service.code, ServiceDetails(cost_es="", cost_en=""))
            services[service.code] = service_ensure(
                code=service.code,
                name_es=service.name_es,
                name_en=service.name_en,
                description_es=service.description_es,
                description_en=service.description_en,
                department=agencies[service.department],
                deadline_days=service.deadline_days,
                channels=service.channels,
                life_events=[events[code] for code in service.life_events],
                input_schema=details.input_schema,
                cost_es=details.cost_es,
                cost_en=details.cost_en,
                cost_amount=details.cost_amount,
                output_es=details.output_es,
                output_en=details.output_en,
                evidence=details.evidence,
                reopen_if_unhappy=details.reopen_if_unhappy,
                anonymous_reports=details.anonymous_reports,
                data_categories=DATA_NEEDED.get(service.code, ()),
            )
        for holiday in HOLIDAYS:
            holiday_ensure(
                agency_code=holiday.agency,
                day=holiday.day,
                name_es=holiday.name_es,
                name_en=holiday.name_en,
            )
        for article in ARTICLES:
            knowledge_article_ensure(
                code=article.code,
                title_es=article.title_es,
                title_en=article.title_en,
                body_es=article.body_es,
                body_en=article.body_en,
                keywords=article.keywords,
                service_codes=article.services,
            )
        for rule in ROUTING_RULES:
            RoutingRule.objects.update_or_create(
                name=rule.name,
                defaults={
                    "position": rule.position,
                    "service": services.get(rule.service) if rule.service else None,
                    "district": rule.district,
                    "keywords": rule.keywords,
                    "party_condition": rule.party_condition,
                    "department": agencies[rule.department],
                    "priority": rule.priority,
                },
            )
        # Written in bulk here rather than by routing_rule_save: drop this process's copy.
        forget_rules()
        ensure_offices()
        for staff in STAFF:
            membership = staff_member_ensure(
                username=staff.username,
                password=DEMO_PASSWORD,
                agency_code=staff.agency,
                role=staff.role,
                first_name=staff.first_name,
            )
            if staff.role == "administrator":
                get_user_model().objects.filter(pk=membership.user_id).update(
                    is_staff=True, is_superuser=True
                )
