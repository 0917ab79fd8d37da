"""How citizens write the requests that open cases: several phrasings per service, the ones a
person uses at a counter and the ones they type on a phone — missing accents, typos, run-on
sentences, greetings and signatures in emails, English from foreign residents, now and then a
second problem in the same message.

The words are drawn from a random stream of their own (``Town.text_rng``), so how a request is
worded never moves any other draw of the town: the same seed gives the same rows, and the same
texts.
"""

from __future__ import annotations

import random
from typing import Any, Final

# What a request for each service says, in the citizen's words. ``{place}`` is where it happens.
SPANISH: Final[dict[str, tuple[str, ...]]] = {
    "empadronamiento": (
        "Me acabo de mudar al pueblo y quiero empadronarme",
        "necesito darme de alta en el padron, vengo de otra ciudad",
        "Hola quiero inscribirme en el padrón municipal con mi familia, somos nuevos aqui",
        "me he venido a vivir a Villanueva y me piden estar empadronado",
    ),
    "cambio-domicilio": (
        "Me he cambiado de piso dentro del pueblo y tengo que actualizar la dirección del padrón",
        "cambio de domicilio, ahora vivo en otra calle",
        "Quiero que conste mi nueva direccion en el padron, nos hemos mudado",
        "actualizar direccion del padron por mudanza",
    ),
    "certificado-empadronamiento": (
        "Necesito un certificado de empadronamiento para el banco",
        "me piden un volante de empadronamiento para el colegio de mi hijo",
        "Quisiera el certificado de empadronamiento colectivo de todos los que vivimos en casa",
        "volante de empadronamiento urgente para presentar en extranjeria",
    ),
    "inscripcion-nacimiento": (
        "Acabamos de tener un bebé y queremos empadronarlo",
        "inscribir a mi hija recien nacida en el padron",
        "Ha nacido nuestro hijo, como lo damos de alta en el padrón?",
    ),
    "baja-padron-defuncion": (
        "Ha fallecido mi padre y hay que darlo de baja del padrón",
        "baja en el padron de mi madre que murio el mes pasado",
        "Comunico el fallecimiento de mi marido para la baja en el padrón",
    ),
    "inscripcion-matrimonio": (
        "Queremos casarnos por lo civil en el ayuntamiento",
        "nos gustaria reservar fecha para la boda civil",
        "Solicito celebrar matrimonio civil, quien nos puede casar?",
    ),
    "pareja-de-hecho": (
        "Queremos inscribirnos como pareja de hecho",
        "registro de pareja de hecho, llevamos 3 años conviviendo",
        "como nos registramos como pareja de hecho mi novio y yo",
    ),
    "censo-electoral": (
        "No aparezco en el censo electoral y quiero votar",
        "mi direccion en el censo electoral esta mal, reclamo",
        "Consulta del censo: me ha llegado la tarjeta censal con datos erróneos",
    ),
    "licencia-obra-menor": (
        "Quiero reformar el baño y cambiar el suelo de la cocina en {place}",
        "permiso para obra pequeña en mi casa, cambiar azulejos y ventanas",
        "Necesito licencia para pintar la fachada y arreglar el tejado de {place}",
        "reforma de cocina en {place}, que papeles necesito para la obra",
    ),
    "licencia-obra-mayor": (
        "Vamos a construir una vivienda unifamiliar en un solar de {place}",
        "licencia para ampliar la casa una planta mas, tenemos proyecto de arquitecto",
        "Solicito licencia de obra mayor para la rehabilitación del edificio de {place}",
    ),
    "licencia-actividad": (
        "Voy a abrir una cafetería en {place} y quiero presentar la declaración responsable",
        "apertura de un local comercial, tienda de ropa en {place}",
        "Quiero abrir una peluqueria, que tengo que presentar para la actividad",
    ),
    "cese-actividad": (
        "Cierro mi tienda a final de mes y quiero comunicar el cese",
        "comunicar el cierre del bar, ya no tenemos actividad",
        "Damos de baja la actividad del local de {place}",
    ),
    "ocupacion-via-publica": (
        "Necesito poner un contenedor de obra en la calle delante de {place}",
        "permiso para terraza con mesas y sillas en la acera de {place}",
        "Quiero ocupar la via publica con un andamio unos dias en {place}",
        "mudanza el sabado, hay que reservar sitio para el camion en {place}",
    ),
    "alumbrado-publico": (
        "La farola de {place} lleva una semana apagada y la calle esta a oscuras",
        "farola fundida en {place}",
        "Se han apagado todas las luces de la calle en {place}, da miedo pasar de noche",
        "una farola parpadea toda la noche en {place}",
    ),
    "recogida-enseres": (
        "Quiero que pasen a recoger un sofá viejo y un colchón en {place}",
        "recogida de muebles, tengo un armario y una lavadora para tirar en {place}",
        "Alguien ha dejado trastos y un frigorifico junto a los contenedores de {place}",
        "como pido que se lleven los enseres viejos, estoy en {place}",
    ),
    "limpieza-via-publica": (
        "La calle {place} está llena de basura y los contenedores rebosan",
        "huele fatal en {place}, no han recogido la basura en dias",
        "Hay pintadas nuevas en la pared de {place}, pedimos que las limpien",
        "la acera de {place} esta sucisima, excrementos de perro y papeles por todos lados",
    ),
    "denuncia-ruidos": (
        "El bar de {place} tiene la música altísima hasta las 3 de la mañana",
        "no puedo dormir por el ruido de los vecinos de arriba en {place}",
        "Denuncio ruidos de obra un domingo a las 8 en {place}",
        "fiestas todas las noches en un piso de {place}, ya no aguantamos el ruido",
    ),
    "registro-animales": (
        "He adoptado un perro y quiero inscribirlo en el registro municipal de animales",
        "registrar a mi gato con el chip",
        "Alta de mi perra en el censo de animales de compañía",
    ),
    "cementerio": (
        "Quiero renovar la concesión del nicho de mis abuelos en el cementerio",
        "informacion sobre traslado de restos en el cementerio municipal",
        "Nicho en el cementerio: hay que pagar la tasa de conservación",
    ),
    "pago-tributos": (
        "Quiero pagar el IBI de este año",
        "pagar el impuesto de circulacion del coche, no me ha llegado el recibo",
        "Me ha llegado la tasa de basuras y no sé cómo pagarla",
        "pago de la contribucion del piso",
    ),
    "bonificacion-ibi": (
        "Somos familia numerosa y queremos la rebaja del IBI",
        "bonificacion del ibi por placas solares en el tejado",
        "Solicito la bonificación en el impuesto de bienes inmuebles",
    ),
    "domiciliacion-recibos": (
        "Quiero domiciliar los recibos del ayuntamiento en mi cuenta",
        "cambiar la cuenta del banco donde me cobran el ibi",
        "Domiciliación de la tasa de basura y el impuesto del coche",
    ),
    "aplazamiento-deudas": (
        "No puedo pagar el recibo de golpe, quiero pagarlo a plazos",
        "fraccionar la deuda con el ayuntamiento, estoy en paro",
        "Solicito aplazamiento de una deuda que tengo en ejecutiva",
    ),
    "plusvalia": (
        "He vendido un piso y me dicen que tengo que pagar la plusvalía",
        "plusvalia municipal por la herencia de la casa de mi madre",
        "Autoliquidación del impuesto de plusvalía por la venta del local",
    ),
    "recurso-multa-trafico": (
        "Me han puesto una multa de aparcamiento injusta y quiero recurrirla",
        "recurso a la multa, yo no conducia el coche ese dia",
        "Quiero presentar alegaciones a la sanción de tráfico que me ha llegado",
    ),
    "pago-multa": (
        "Quiero pagar una multa de tráfico con el descuento",
        "pagar multa de aparcamiento",
        "Cómo pago la sanción de tráfico que me llegó por correo",
    ),
    "tarjeta-residentes": (
        "Quiero la tarjeta para aparcar en mi zona como residente",
        "renovar el distintivo de aparcamiento de residentes",
        "tarjeta de residente para la zona azul, he cambiado de coche",
    ),
    "vado-permanente": (
        "Quiero poner un vado en la puerta de mi cochera en {place}",
        "licencia de vado, siempre me aparcan delante del garaje",
        "Solicito placa de vado permanente para la entrada de vehículos de {place}",
    ),
    "desperfectos-calzada": (
        "Hay un bache enorme en {place}, casi me caigo con la bici",
        "baldosas levantadas en la acera de {place}, una señora se ha tropezado",
        "Una alcantarilla sin tapa en {place}, es peligroso",
        "el asfalto de {place} esta roto y se forman charcos",
    ),
    "ayuda-emergencia-social": (
        "No puedo pagar el alquiler ni la luz este mes, necesito ayuda",
        "estamos sin ingresos y con niños, pedimos una ayuda de emergencia",
        "Me van a cortar el agua, necesito ayuda urgente de servicios sociales",
    ),
    "ayuda-domicilio": (
        "Mi madre es mayor y necesita que alguien vaya a casa a ayudarla",
        "ayuda a domicilio para mi padre que vive solo",
        "Solicito el servicio de ayuda a domicilio para aseo y limpieza",
    ),
    "teleasistencia": (
        "Quiero el botón de teleasistencia para mi abuela que vive sola",
        "teleasistencia para mi padre, se ha caido dos veces",
        "Pido el aparato de teleasistencia, tengo 82 años",
    ),
    "valoracion-dependencia": (
        "Quiero solicitar la valoración de la dependencia de mi madre",
        "grado de dependencia para mi padre con alzheimer",
        "Revisión del grado de dependencia, ha empeorado mucho",
    ),
    "mediacion-familiar": (
        "Nos estamos separando y queremos mediación para acordar lo de los niños",
        "mediacion familiar, conflicto con mis hermanos por la herencia",
        "Necesitamos ayuda para ponernos de acuerdo con la custodia",
    ),
    "adopcion-acogimiento": (
        "Queremos información para acoger a un niño",
        "como se adopta, que requisitos hay",
        "Nos interesa ser familia de acogida",
    ),
    "escuela-infantil": (
        "Quiero plaza en la guardería municipal para mi hijo de un año",
        "matricula escuela infantil para el curso que viene",
        "Solicito plaza de 0 a 3 años en la escuela infantil",
    ),
    "admision-escolar": (
        "Solicitud de plaza en el colegio para mi hija que empieza primaria",
        "admision escolar, queremos cambiar al niño de colegio",
        "Plazo de matrícula en el instituto, cómo se pide plaza",
    ),
    "becas-comedor": (
        "Quiero pedir la beca de comedor para mis dos hijos",
        "ayuda para libros y material escolar",
        "Beca de comedor, somos familia monoparental",
    ),
    "transporte-universitario": (
        "Estudio en Sevilla y quiero la ayuda del transporte a la universidad",
        "ayuda para el bono de autobus de la universidad",
        "Pido la ayuda de transporte universitario de este curso",
    ),
    "escuelas-deportivas": (
        "Quiero apuntar a mi hijo a fútbol en las escuelas deportivas",
        "inscripcion en natacion para mi hija de 7 años",
        "Plazas de baloncesto y gimnasia rítmica en el polideportivo",
    ),
    "reserva-instalaciones": (
        "Quiero reservar la pista de pádel el sábado por la tarde",
        "reserva del campo de futbol para un partido",
        "Alquilar la pista de tenis del polideportivo",
    ),
    "carne-biblioteca": (
        "Quiero hacerme el carné de la biblioteca",
        "he perdido el carnet de la biblioteca, necesito otro",
        "Carné de biblioteca para mis hijos",
    ),
    "cita-dni-pasaporte": (
        "Necesito cita para renovar el DNI que me caduca",
        "cita para el pasaporte, me voy de viaje en un mes",
        "Se me ha perdido el DNI, cómo pido cita para uno nuevo",
    ),
    "informacion-permiso-conducir": (
        "Cómo renuevo el carnet de conducir",
        "informacion para canjear mi permiso de conducir extranjero",
        "Se me ha caducado el carné de conducir, qué tengo que hacer",
    ),
    "quejas-sugerencias": (
        "Quiero poner una queja por el mal trato en la ventanilla",
        "reclamacion, llevo semanas esperando respuesta y nadie me contesta",
        "Sugiero que abran la oficina también por la tarde",
        "queja por el horario de atencion, siempre esta cerrado",
    ),
    "presupuestos-participativos": (
        "Propongo un parque infantil en el barrio",
        "propuesta para los presupuestos participativos: carril bici",
        "Mi propuesta es poner más bancos y árboles en la plaza",
    ),
    "tarjeta-sanitaria": (
        "Necesito la tarjeta sanitaria, se me ha perdido",
        "tarjeta sanitaria para mi bebe",
        "Renovar la tarjeta sanitaria que está rota",
    ),
    "cita-medico": (
        "Necesito cita con mi médico de cabecera",
        "cita medico de familia para esta semana, tengo fiebre",
        "Pedir cita con la doctora para mi madre",
        "cita en el centro de salud para analisis",
    ),
    "cambio-medico": (
        "Quiero cambiar de médico de familia",
        "cambio de centro de salud porque me he mudado",
        "Solicito cambiar de pediatra a mis hijos",
    ),
    "numero-afiliacion": (
        "Necesito el número de la seguridad social para mi primer trabajo",
        "numero de afiliacion a la seguridad social, soy estudiante",
        "Cómo consigo mi número de la Seguridad Social",
    ),
    "informe-vida-laboral": (
        "Necesito el informe de vida laboral para el banco",
        "vida laboral actualizada para una oferta de trabajo",
        "Me piden la vida laboral, no tengo certificado digital",
    ),
    "prestacion-nacimiento": (
        "Acabo de ser madre y quiero pedir la prestación por nacimiento",
        "permiso de paternidad, la prestacion por cuidado del bebe",
        "Prestación por nacimiento de mi hijo, trabajo por cuenta ajena",
    ),
    "pension-jubilacion": (
        "Me jubilo el mes que viene y quiero solicitar la pensión",
        "pension de jubilacion, cumplo 65 años",
        "Cuánto me quedaría de pensión si me jubilo ya",
    ),
    "pension-viudedad": (
        "Ha fallecido mi marido y quiero pedir la pensión de viudedad",
        "pension de viudedad, que papeles hacen falta",
        "Solicito la pensión de viudedad tras la muerte de mi esposa",
    ),
    "prestacion-desempleo": (
        "Me han despedido y quiero pedir el paro",
        "prestacion por desempleo, se me acabo el contrato",
        "Cuánto paro me queda y cómo lo solicito",
    ),
    "demanda-empleo": (
        "Quiero apuntarme como demandante de empleo",
        "inscribirme en la oficina de empleo, busco trabajo",
        "Renovar la demanda de empleo, se me pasó la fecha",
    ),
    "comunicacion-contrato": (
        "Comunicamos el contrato de un nuevo trabajador de la empresa",
        "alta de contrato de un empleado a media jornada",
        "Comunicación de la contratación temporal de dos camareros",
    ),
    "ayuda-autonomos": (
        "Me he dado de alta como autónomo y quiero la ayuda de inicio de actividad",
        "ayuda para autonomos que empiezan, abro un taller",
        "Subvención para empezar mi negocio como autónoma",
    ),
}

ENGLISH: Final[dict[str, tuple[str, ...]]] = {
    "empadronamiento": ("I just moved here and need to register at the town hall (padron)",),
    "cambio-domicilio": ("We moved to a new flat in town, how do I change my address",),
    "certificado-empadronamiento": (
        "I need a certificate of residence (empadronamiento) for my residency application",
    ),
    "inscripcion-nacimiento": ("Our baby was born last week, we want to register her",),
    "baja-padron-defuncion": ("My husband passed away, what do I do about the register",),
    "inscripcion-matrimonio": ("We would like to get married at the town hall",),
    "pareja-de-hecho": ("We want to register as a civil partnership",),
    "censo-electoral": ("I am an EU citizen and want to be on the electoral roll",),
    "licencia-obra-menor": ("I want to redo the bathroom at {place}, do I need a permit",),
    "licencia-obra-mayor": ("Building permit for an extension of our house at {place}",),
    "licencia-actividad": ("I am opening a small restaurant at {place}, what licence do I need",),
    "cese-actividad": ("I am closing my shop and need to notify the council",),
    "ocupacion-via-publica": ("We need to put a skip in the street outside {place} for a week",),
    "alumbrado-publico": (
        "The street light outside {place} has been off for days",
        "street lamp broken at {place}, very dark at night",
    ),
    "recogida-enseres": ("Can you collect an old sofa and a mattress from {place}",),
    "limpieza-via-publica": (
        "Bins overflowing and rubbish everywhere at {place}",
        "the street at {place} is very dirty and smells bad",
    ),
    "denuncia-ruidos": (
        "Loud music from the bar at {place} every night until 3am",
        "noise from neighbours at {place}, we cannot sleep",
    ),
    "registro-animales": ("I want to register my dog with the council",),
    "cementerio": ("Information about a niche at the municipal cemetery",),
    "pago-tributos": ("How can I pay my property tax (IBI)",),
    "bonificacion-ibi": ("Can I get a discount on the IBI, we are a large family",),
    "domiciliacion-recibos": ("I want to pay the council bills by direct debit",),
    "aplazamiento-deudas": ("Can I pay my council debt in instalments",),
    "plusvalia": ("I sold my apartment, how do I pay the plusvalia tax",),
    "recurso-multa-trafico": ("I want to appeal a parking fine, I was not driving",),
    "pago-multa": ("How do I pay a traffic fine",),
    "tarjeta-residentes": ("Resident parking permit for my street",),
    "vado-permanente": ("I want a no parking sign (vado) for my garage at {place}",),
    "desperfectos-calzada": (
        "Big pothole in the road at {place}",
        "broken pavement at {place}, someone will fall",
    ),
    "ayuda-emergencia-social": ("We cannot pay the rent this month, is there emergency help",),
    "ayuda-domicilio": ("My mother needs home help, she lives alone",),
    "teleasistencia": ("Alarm pendant (teleasistencia) for my elderly father",),
    "valoracion-dependencia": ("Assessment of dependency for my mother",),
    "mediacion-familiar": ("We are separating and want family mediation",),
    "adopcion-acogimiento": ("Information about fostering a child",),
    "escuela-infantil": ("Nursery place for my one year old son",),
    "admision-escolar": ("School place for my daughter, we just arrived in town",),
    "becas-comedor": ("School lunch grant for my children",),
    "transporte-universitario": ("Help with bus fares to the university",),
    "escuelas-deportivas": ("Swimming lessons for kids at the sports centre",),
    "reserva-instalaciones": ("Book the padel court for Saturday",),
    "carne-biblioteca": ("How do I get a library card",),
    "cita-dni-pasaporte": ("Appointment for a Spanish passport renewal",),
    "informacion-permiso-conducir": ("How do I exchange my UK driving licence",),
    "quejas-sugerencias": (
        "I want to complain, nobody answers the phone at the office",
        "Suggestion: please open the office in the afternoon",
    ),
    "presupuestos-participativos": ("Proposal for the participatory budget: a playground",),
    "tarjeta-sanitaria": ("I need a health card (tarjeta sanitaria)",),
    "cita-medico": ("I need an appointment with my GP", "doctor appointment for my son"),
    "cambio-medico": ("I want to change my family doctor",),
    "numero-afiliacion": ("How do I get a social security number",),
    "informe-vida-laboral": ("I need my employment history report (vida laboral)",),
    "prestacion-nacimiento": ("Maternity benefit after the birth of my baby",),
    "pension-jubilacion": ("I am retiring, how do I apply for my pension",),
    "pension-viudedad": ("Widow's pension after my husband died",),
    "prestacion-desempleo": ("I lost my job, how do I claim unemployment benefit",),
    "demanda-empleo": ("I want to register as a job seeker",),
    "comunicacion-contrato": ("Notify a new employment contract for our company",),
    "ayuda-autonomos": ("Grant for starting as self-employed",),
}

OPENINGS: Final = ("", "", "", "Hola, ", "Buenos días. ", "Buenas, ", "Perdonen, ", "Hola buenas ")
ENDINGS: Final = (
    "",
    "",
    "",
    ". Gracias",
    ", gracias de antemano",
    ". A ver si lo pueden mirar pronto",
    ". Es urgente",
    " por favor",
    "!!",
    ". Ya lo dije hace semanas y nada",
)
GREETINGS: Final = (
    "Buenos días:\n\n",
    "Estimados señores:\n\n",
    "Hola,\n\n",
    "A la atención del Ayuntamiento:\n\n",
    "Buenas tardes,\n",
)
SIGN_OFFS: Final = (
    "\n\nUn saludo,\n{name}",
    "\n\nAtentamente,\n{name}",
    "\n\nGracias.\n{name}\nEnviado desde mi iPhone",
    "\n\nSaludos\n{name}",
    "\n\nUn cordial saludo.",
)
ENGLISH_OPENINGS: Final = ("", "", "Hello, ", "Hi, ", "Good morning. ", "Sorry my Spanish is bad. ")
ENGLISH_ENDINGS: Final = ("", "", ". Thanks", ", thank you very much", ". Gracias!", " please")
ENGLISH_GREETINGS: Final = ("Dear Sir or Madam,\n\n", "Hello,\n\n", "Hi there,\n\n")
ENGLISH_SIGN_OFFS: Final = ("\n\nKind regards,\n{name}", "\n\nThanks,\n{name}", "\n\nBest wishes")
JOINS: Final = (". Otra cosa, ", ". Y tambien ", ", y aprovecho para decir que ", ". Por cierto, ")
ENGLISH_JOINS: Final = (". Also, ", ". And another thing, ", ", and ")
# Keys that sit next to each other on a Spanish keyboard, for slips of the finger.
NEIGHBOURS: Final = {
    "a": "sq", "e": "wr", "i": "uo", "o": "ip", "u": "yi", "n": "bm", "m": "n", "r": "et",
    "s": "ad", "t": "ry", "l": "k", "c": "xv", "d": "sf", "p": "o",
}  # fmt: skip


ACCENTS: Final = str.maketrans("áéíóúüÁÉÍÓÚ", "aeiouuAEIOU")


# Residents from these countries write in English now and then, whatever language they chose.
ENGLISH_WRITERS: Final = {"GB": 1.0, "IE": 1.0, "RO": 0.3, "BG": 0.3}


def writing_language(person: Any) -> str:
    """``en`` for a resident who chose English; ``en?<share>`` for one who may write in it."""
    if person.language == "en":
        return "en"
    share = ENGLISH_WRITERS.get(person.nationality)
    return f"en?{share}" if share else "es"


def unaccented(text: str) -> str:
    """As typed on a phone in a hurry: no accents (the ñ mostly stays)."""
    return text.translate(ACCENTS)


def with_typos(rng: random.Random, text: str, rate: float) -> str:
    """Slips a hurried writer makes: a letter dropped, doubled, swapped or hit next door."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) < 4 or rng.random() >= rate:
            continue
        at = rng.randrange(1, len(word) - 1)
        slip = rng.randrange(4)
        if slip == 0:
            word = word[:at] + word[at + 1 :]
        elif slip == 1:
            word = word[:at] + word[at] + word[at:]
        elif slip == 2:
            word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
        else:
            near = NEIGHBOURS.get(word[at].lower())
            if near:
                word = word[:at] + rng.choice(near) + word[at + 1 :]
        words[index] = word
    return " ".join(words)


def _core(rng: random.Random, code: str, english: bool, place: str) -> str | None:
    bank = (ENGLISH if english else SPANISH).get(code)
    if not bank:
        return None
    return rng.choice(bank).format(place=place or ("my street" if english else "mi calle"))


def request_text(
    rng: random.Random,
    *,
    code: str,
    fallback: str,
    channel: str,
    language: str,
    place: str,
    signer: str,
    other_code: str,
) -> str:
    """What a citizen wrote to ask for the service ``code``; ``fallback`` when it has no words
    of its own. ``other_code`` is a service a second problem in the message may be about."""
    chance = 0.0
    if language == "en":
        chance = 0.85
    elif language.startswith("en?"):
        chance = 0.5 * float(language[3:])
    english = rng.random() < chance
    roll = rng.random()
    if roll < 0.2 and fallback and not english:
        # Some still write it as the incident was summed up ("Farola apagada en …").
        text = fallback
    else:
        text = _core(rng, code, english, place) or fallback
    if rng.random() < 0.06:
        second = _core(rng, other_code, english, place)
        if second:
            joins = ENGLISH_JOINS if english else JOINS
            text += rng.choice(joins) + second[0].lower() + second[1:]
    if english:
        text = rng.choice(ENGLISH_OPENINGS) + text + rng.choice(ENGLISH_ENDINGS)
    else:
        opening = rng.choice(OPENINGS)
        if opening:
            text = text[0].lower() + text[1:]
        text = opening + text + rng.choice(ENDINGS)
        if rng.random() < 0.45:
            text = unaccented(text)
        if rng.random() < 0.25:
            text = text.lower()
    if rng.random() < 0.6:
        text = with_typos(rng, text, 0.03 if rng.random() < 0.7 else 0.1)
    if channel in ("email", "post"):
        greetings = ENGLISH_GREETINGS if english else GREETINGS
        sign_offs = ENGLISH_SIGN_OFFS if english else SIGN_OFFS
        name = signer or ("Administración" if not english else "Administration")
        text = rng.choice(greetings) + text + "." + rng.choice(sign_offs).format(name=name)
    elif not text.endswith(("!", ".", "?")) and rng.random() < 0.6:
        text += "."
    return text
