"""What the office wrote when it finished a case: the note of the resolving step, as a citizen
reads it on the portal and an agent reads it beside similar cases. A few services have words of
their own; the rest say how a procedure ends. The note is chosen from the case's own id, so the
rest of the town is drawn exactly as before."""

from __future__ import annotations

import uuid
import zlib
from typing import Final

# Per service: the notes of a case resolved in the citizen's favour.
RESOLVED: Final[dict[str, tuple[str, ...]]] = {
    "alumbrado-publico": (
        "La brigada de alumbrado sustituyó la lámpara fundida y comprobó el resto de la calle.",
        "Se cambió el fusible del cuadro eléctrico de la zona; las farolas vuelven a encenderse.",
        "Se repuso la luminaria dañada por el golpe y se pasó el parte al seguro del vehículo.",
    ),
    "limpieza-via-publica": (
        "El servicio de limpieza vació los contenedores y añadió una recogida más por semana.",
        "Se baldeó la calle y se retiró la suciedad acumulada.",
        "Se eliminaron las pintadas de la fachada con el equipo de agua a presión.",
    ),
    "denuncia-ruidos": (
        "La Policía Local midió el ruido y levantó acta; el local ha sido requerido para que "
        "cumpla el horario.",
        "Se inspeccionó el local y se le ordenó instalar un limitador de sonido.",
        "Tras la visita de la Policía Local el ruido cesó; se vigilará los fines de semana.",
    ),
    "desperfectos-calzada": (
        "La brigada de vías públicas rellenó el bache con aglomerado en caliente.",
        "Se repuso la baldosa suelta de la acera y se señalizó mientras fraguaba.",
        "Se reparó el hundimiento de la calzada y se revisó la arqueta cercana.",
    ),
    "recogida-enseres": (
        "Los enseres se recogieron el día acordado en la puerta del domicilio.",
        "Se retiraron los muebles y se llevaron al punto limpio.",
    ),
    "quejas-sugerencias": (
        "Se ha trasladado su queja al servicio responsable, que ha cambiado el procedimiento.",
        "Gracias por su sugerencia: se estudiará en la próxima revisión del servicio.",
        "Se ha contestado a su queja por escrito con las medidas adoptadas.",
    ),
    "licencia-obra-menor": (
        "Licencia de obra menor concedida; puede empezar las obras y debe avisar al terminarlas.",
        "Obra menor autorizada con la condición de no ocupar la acera más de dos días.",
    ),
    "ocupacion-via-publica": (
        "Autorizada la ocupación de la vía pública en las fechas pedidas; coloque la placa.",
        "Ocupación autorizada con vallado y paso peatonal señalizado.",
    ),
    "vado-permanente": (
        "Vado concedido; recoja la placa en la Oficina de Atención Ciudadana.",
        "Vado autorizado tras la visita de la Policía Local; la tasa se cargará en su cuenta.",
    ),
    "cementerio": (
        "Concedida la unidad de enterramiento; el título está a su disposición en el cementerio.",
        "Se renovó la concesión por diez años.",
    ),
    "registro-animales": (
        "El animal queda inscrito en el registro municipal con el número de su microchip.",
    ),
}
RESOLVED_ANY: Final = (
    "Resuelto favorablemente. La resolución se ha notificado en su carpeta ciudadana.",
    "Concedido lo solicitado; tiene la resolución en la sede electrónica.",
    "Tramitado y resuelto. Se le ha enviado el documento por el medio que eligió.",
    "Solicitud atendida: se comprobó la documentación y se emitió la resolución.",
)
REJECTED: Final = (
    "Denegado: no se aportó la documentación requerida dentro del plazo.",
    "Denegado por no cumplir los requisitos de la convocatoria.",
    "Inadmitida: la solicitud corresponde a otra administración, a la que se ha remitido.",
    "Denegado: la documentación aportada no acredita lo solicitado.",
)
ACTION: Final = {"resolved": "resolve", "closed": "resolve", "rejected": "reject"}


def resolution_note(code: str, status: str, case_id: str) -> str:
    choices: tuple[str, ...]
    if status == "rejected":
        choices = REJECTED
    else:
        choices = RESOLVED.get(code, RESOLVED_ANY)
    return choices[zlib.crc32(case_id.encode()) % len(choices)]


def resolution_event_id(case_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ventanilla:case:{case_id}:resolution"))
