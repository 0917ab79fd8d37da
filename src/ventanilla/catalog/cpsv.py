"""The service catalogue as CPSV-AP 3.x JSON-LD (the EU Core Public Service Vocabulary
Application Profile), out and back in: ``ventanilla catalog export|import``.

Vocabulary checked against SEMIC's CPSV-AP 3.2.0 JSON-LD context and example
(github.com/SEMICeu/CPSV-AP, releases/3.2.0):

- ``cpsv:PublicService`` with ``dct:identifier``, ``dct:title``, ``dct:description``
  (language-tagged), ``cv:hasCompetentAuthority`` -> ``cv:PublicOrganisation`` (named by
  ``skos:prefLabel``), ``cv:hasChannel`` -> ``cv:Channel``, ``cv:processingTime``
  (``xsd:duration``), ``cv:hasCost`` -> ``cv:Cost`` (``cv:hasValue``, ``cv:currency`` as an IRI
  of the EU currency authority table, ``dct:description``), ``cpsv:hasInput`` -> ``cv:Evidence``,
  ``cpsv:produces`` -> ``cv:Output``, ``cv:isGroupedBy`` -> ``cv:LifeEvent`` /
  ``cv:BusinessEvent``.
- The cost's amount is ``cv:hasValue`` (not ``cv:value``, which the 3.2.0 context does not
  define). ``cv:hasInputType`` points to an ``cv:EvidenceType`` (a classification), which we do
  not keep, so evidence goes out only as ``cpsv:hasInput``. Events are linked with
  ``cv:isGroupedBy``, not ``dct:isPartOf`` (which in CPSV-AP relates a service to another
  service or catalogue, as far as we could check).
- ``cv:processingTime`` is ``P<n>D`` where n counts **working** days (Monday to Friday less
  public holidays), as Spanish administrative law counts deadlines; ISO 8601 itself would read
  calendar days. The docs say so too.
- The agency tree uses the W3C ORG vocabulary's ``org:subOrganizationOf``.
- What CPSV-AP has no term for lives in Ventanilla's own namespace ``vtn:`` (the handling
  department, the request form as JSON Schema, reopening on a low satisfaction answer, active).

Import is idempotent (everything matched by its code), all or nothing (one transaction), and
export -> import into an empty catalogue -> export gives the same document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction

from ventanilla.catalog.models import Agency, Channel, DataCategory, LifeEvent, PublicService
from ventanilla.catalog.services import agency_ensure, life_event_ensure, service_ensure
from ventanilla.core.errors import DomainError

CPSV = "http://purl.org/vocab/cpsv#"
CV = "http://data.europa.eu/m8g/"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"
VTN = "urn:ventanilla:vocab:"
EUR = "http://publications.europa.eu/resource/authority/currency/EUR"
LANGUAGES = ("es", "en")

PREFIXES = {"cpsv": CPSV, "cv": CV, "dct": DCT, "skos": SKOS, "org": ORG, "xsd": XSD, "vtn": VTN}

_DAYS = re.compile(r"^P(\d{1,4})D$")


class CatalogueImportError(DomainError):
    """A catalogue file that cannot be imported; ``problems`` lists every one found, each
    naming the node (service, event, organisation) and the property."""

    code = "validation-error"
    status = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def context() -> dict[str, Any]:
    return {
        "@version": 1.1,
        # Relative @ids ("service/empadronamiento") resolve under the instance's public address.
        "@base": f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/catalogue/",
        **PREFIXES,
        "cv:processingTime": {"@type": "xsd:duration"},
        "cv:hasValue": {"@type": "xsd:double"},
        "cv:currency": {"@type": "@id"},
        "vtn:inputSchema": {"@type": "@json"},
    }


# --- Export ---------------------------------------------------------------------------------


def _lang(obj: Any, field: str) -> list[dict[str, str]]:
    return [
        {"@language": language, "@value": value}
        for language in LANGUAGES
        if (value := str(getattr(obj, f"{field}_{language}", "") or ""))
    ]


def _lang_of(item: dict[str, Any], field: str) -> list[dict[str, str]]:
    return [
        {"@language": language, "@value": str(item[f"{field}_{language}"])}
        for language in LANGUAGES
        if item.get(f"{field}_{language}")
    ]


def _agency_id(agency: Agency) -> str:
    return f"agency/{agency.code}"


def _service_node(service: PublicService) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": f"service/{service.code}",
        "@type": "cpsv:PublicService",
        "dct:identifier": service.code,
        "dct:title": _lang(service, "name"),
        "cv:hasCompetentAuthority": {"@id": _agency_id(service.competent_agency)},
        "cv:hasChannel": [
            {"@id": f"channel/{c.code}"} for c in sorted(service.channels.all(), key=_code)
        ],
        "cv:processingTime": f"P{service.deadline_days}D",
        "cv:isGroupedBy": [
            {"@id": f"event/{e.code}"} for e in sorted(service.life_events.all(), key=_code)
        ],
        "vtn:reopenIfUnhappy": service.reopen_if_unhappy,
        "vtn:anonymousReports": service.anonymous_reports,
        "vtn:active": service.active,
    }
    if description := _lang(service, "description"):
        node["dct:description"] = description
    if service.cost_es or service.cost_en or service.cost_amount is not None:
        cost: dict[str, Any] = {"@type": "cv:Cost", "cv:currency": EUR}
        if service.cost_amount is not None:
            cost["cv:hasValue"] = float(service.cost_amount)
        if cost_text := _lang(service, "cost"):
            cost["dct:description"] = cost_text
        node["cv:hasCost"] = [cost]
    if service.evidence:
        node["cpsv:hasInput"] = [
            {
                "@type": "cv:Evidence",
                "dct:identifier": str(item["code"]),
                "dct:title": _lang_of(item, "name"),
            }
            for item in service.evidence
        ]
    if output := _lang(service, "output"):
        node["cpsv:produces"] = [{"@type": "cv:Output", "dct:title": output}]
    if service.department is not None:
        node["vtn:department"] = {"@id": _agency_id(service.department)}
    if service.input_schema:
        node["vtn:inputSchema"] = service.input_schema
    if service.data_categories:
        node["vtn:dataCategory"] = sorted(service.data_categories)
    return node


def _code(obj: Any) -> str:
    return str(obj.code)


def catalogue_export() -> dict[str, Any]:
    """Every service (active or not) with the organisations, channels and events it refers to,
    as one JSON-LD document. The same catalogue always gives the same document."""
    services = list(
        PublicService.objects.select_related("competent_agency", "department")
        .prefetch_related("channels", "life_events")
        .order_by("code")
    )
    paths: set[str] = set()
    for service in services:
        for agency in (service.competent_agency, service.department):
            if agency is not None:
                parts = agency.path.split("/")
                paths.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    agencies = list(Agency.objects.filter(path__in=paths).select_related("parent"))
    channels = sorted({c for s in services for c in s.channels.all()}, key=_code)
    events = sorted({e for s in services for e in s.life_events.all()}, key=_code)

    graph: list[dict[str, Any]] = []
    for agency in sorted(agencies, key=lambda a: a.path):
        node: dict[str, Any] = {
            "@id": _agency_id(agency),
            "@type": "cv:PublicOrganisation",
            "dct:identifier": agency.code,
            "skos:prefLabel": _lang(agency, "name"),
            "vtn:agencyKind": agency.kind,
        }
        if agency.parent is not None:
            node["org:subOrganizationOf"] = {"@id": _agency_id(agency.parent)}
        graph.append(node)
    for channel in channels:
        graph.append(
            {
                "@id": f"channel/{channel.code}",
                "@type": "cv:Channel",
                "dct:identifier": channel.code,
                "dct:description": _lang(channel, "name"),
            }
        )
    for event in events:
        node = {
            "@id": f"event/{event.code}",
            "@type": "cv:BusinessEvent"
            if event.kind == LifeEvent.Kind.BUSINESS
            else "cv:LifeEvent",
            "dct:identifier": event.code,
            "dct:title": _lang(event, "name"),
        }
        if description := _lang(event, "description"):
            node["dct:description"] = description
        graph.append(node)
    graph.extend(_service_node(service) for service in services)
    return {"@context": context(), "@graph": graph}


def dumps(document: dict[str, Any]) -> str:
    """The document as text: keys sorted so that the file is the same on every database."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --- Import ---------------------------------------------------------------------------------


class _Reader:
    """Reads nodes whatever prefixes the file's own @context chose: every property and type is
    compared as a full IRI."""

    def __init__(self, document: Any) -> None:
        self.prefixes = dict(PREFIXES)
        ctx = document.get("@context") if isinstance(document, dict) else None
        for part in ctx if isinstance(ctx, list) else [ctx]:
            if isinstance(part, dict):
                self.prefixes.update(
                    {k: v for k, v in part.items() if isinstance(v, str) and not k.startswith("@")}
                )

    def expand(self, term: str) -> str:
        prefix, colon, rest = term.partition(":")
        if colon and prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        return term

    def types(self, node: dict[str, Any]) -> set[str]:
        value = node.get("@type", [])
        return {self.expand(t) for t in (value if isinstance(value, list) else [value])}

    def values(self, node: dict[str, Any], iri: str) -> list[Any]:
        for key, value in node.items():
            if not key.startswith("@") and self.expand(key) == iri:
                return value if isinstance(value, list) else [value]
        return []

    def one(self, node: dict[str, Any], iri: str) -> Any:
        found = self.values(node, iri)
        return found[0] if found else None


def _text(value: Any) -> Any:
    return value.get("@value") if isinstance(value, dict) else value


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("@id")
    return value if isinstance(value, str) else None


@dataclass
class ImportResult:
    organisations_created: int = 0
    events: int = 0
    services_created: int = 0
    services_updated: int = 0


class _Problems:
    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, where: str, prop: str, problem: str) -> None:
        self.found.append(f"{where}, {prop}: {problem}")


def _languages(
    reader: _Reader, node: dict[str, Any], iri: str, where: str, prop: str, problems: _Problems
) -> dict[str, str]:
    """Language-tagged values by language; an untagged string counts as Spanish."""
    texts: dict[str, str] = {}
    for value in reader.values(node, iri):
        if isinstance(value, str):
            texts.setdefault("es", value)
        elif isinstance(value, dict) and isinstance(value.get("@value"), str):
            texts.setdefault(str(value.get("@language", "es"))[:2].lower(), value["@value"])
        else:
            problems.add(where, prop, 'expected text or {"@language": …, "@value": …}')
    return texts


def _nodes(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, list):
        return [n for n in document if isinstance(n, dict)]
    if isinstance(document, dict):
        graph = document.get("@graph")
        if isinstance(graph, list):
            return [n for n in graph if isinstance(n, dict)]
        return [document]
    return []


def catalogue_import(document: Any) -> ImportResult:
    """Create or update every organisation that is missing, every event and every service of a
    CPSV-AP JSON-LD document, all in one transaction; nothing is written when anything is
    wrong, and ``CatalogueImportError`` lists every problem. Existing agencies are matched by
    code and left as they are (the organisation tree is maintained in Ventanilla, not by
    catalogue files); services not in the file are left alone."""
    reader = _Reader(document)
    problems = _Problems()
    nodes = _nodes(document)
    if not nodes:
        raise CatalogueImportError(["the file has no JSON-LD nodes (expected an @graph list)"])

    organisations: dict[str, dict[str, Any]] = {}
    channel_codes: dict[str, str] = {}
    events: dict[str, dict[str, Any]] = {}
    services: list[dict[str, Any]] = []
    for node in nodes:
        types = reader.types(node)
        identifier = _text(reader.one(node, DCT + "identifier"))
        node_id = node.get("@id")
        if CV + "PublicOrganisation" in types or ORG + "Organization" in types:
            organisations[str(node_id)] = node
        elif CV + "Channel" in types:
            if identifier:
                channel_codes[str(node_id)] = str(identifier)
        elif types & {CV + "LifeEvent", CV + "BusinessEvent", CV + "Event"}:
            events[str(node_id)] = node
        elif CPSV + "PublicService" in types:
            services.append(node)
    if not services:
        problems.add("the file", "@graph", "no cpsv:PublicService in it")

    def org_code(ref: str | None) -> str | None:
        node = organisations.get(str(ref))
        code = _text(reader.one(node, DCT + "identifier")) if node else None
        return str(code) if code else None

    result = ImportResult()
    with transaction.atomic():
        # Organisations: parents first, creating only those the database lacks.
        known = set(Agency.objects.values_list("code", flat=True))
        created: dict[str, Agency] = {}

        def ensure_org(ref: str, trail: tuple[str, ...] = ()) -> Agency | None:
            code = org_code(ref)
            where = f"organisation {ref!r}"
            if code is None:
                problems.add(where, "dct:identifier", "missing")
                return None
            if code in known:
                return Agency.objects.get(code=code)
            if code in created:
                return created[code]
            if ref in trail:
                problems.add(where, "org:subOrganizationOf", "goes round in a circle")
                return None
            node = organisations[ref]
            parent_ref = _ref(reader.one(node, ORG + "subOrganizationOf"))
            parent = None
            if parent_ref is not None:
                if parent_ref not in organisations and org_code(parent_ref) is None:
                    problems.add(
                        where, "org:subOrganizationOf", f"{parent_ref!r} is not in the file"
                    )
                    return None
                parent = ensure_org(parent_ref, (*trail, ref))
                if parent is None:
                    return None
            names = _languages(reader, node, SKOS + "prefLabel", where, "skos:prefLabel", problems)
            if not names.get("es"):
                problems.add(where, "skos:prefLabel", "needs a Spanish (@language es) name")
                return None
            kind = _text(reader.one(node, VTN + "agencyKind")) or (
                Agency.Kind.AGENCY if parent else Agency.Kind.ADMINISTRATION
            )
            if kind not in Agency.Kind.values:
                problems.add(where, "vtn:agencyKind", f"unknown kind {kind!r}")
                return None
            created[code] = agency_ensure(
                code=code,
                kind=str(kind),
                name_es=names["es"],
                name_en=names.get("en", ""),
                parent=parent,
            )
            result.organisations_created += 1
            return created[code]

        def agency_of(ref: Any, where: str, prop: str) -> Agency | None:
            target = _ref(ref)
            if target is None or target not in organisations:
                problems.add(where, prop, f"{target!r} is not an organisation in the file")
                return None
            return ensure_org(target)

        event_objects: dict[str, LifeEvent] = {}
        for ref, node in sorted(events.items()):
            code = _text(reader.one(node, DCT + "identifier"))
            where = f"event {ref!r}"
            if not code:
                problems.add(where, "dct:identifier", "missing")
                continue
            titles = _languages(reader, node, DCT + "title", where, "dct:title", problems)
            descriptions = _languages(
                reader, node, DCT + "description", where, "dct:description", problems
            )
            if not titles.get("es"):
                problems.add(where, "dct:title", "needs a Spanish (@language es) title")
                continue
            kind = (
                LifeEvent.Kind.BUSINESS
                if CV + "BusinessEvent" in reader.types(node)
                else LifeEvent.Kind.LIFE
            )
            event_objects[ref] = life_event_ensure(
                code=str(code),
                kind=kind,
                name_es=titles["es"],
                name_en=titles.get("en", titles["es"]),
                description_es=descriptions.get("es", ""),
                description_en=descriptions.get("en", ""),
            )
            result.events += 1

        existing_channels = set(Channel.objects.values_list("code", flat=True))
        existing_services = set(PublicService.objects.values_list("code", flat=True))
        for node in services:
            code = _text(reader.one(node, DCT + "identifier"))
            where = f"service {code or node.get('@id')!r}"
            if not code:
                problems.add(where, "dct:identifier", "missing")
                continue
            fields = _service_fields(
                reader, node, where, problems, channel_codes, existing_channels, event_objects
            )
            competent = agency_of(
                reader.one(node, CV + "hasCompetentAuthority"), where, "cv:hasCompetentAuthority"
            )
            department_ref = reader.one(node, VTN + "department")
            department = (
                agency_of(department_ref, where, "vtn:department") if department_ref else None
            )
            if fields is None or competent is None or (department_ref and department is None):
                continue
            try:
                service_ensure(
                    code=str(code), competent_agency=competent, department=department, **fields
                )
            except DomainError as error:
                field = next(iter(getattr(error, "errors", {None: None})))
                problems.add(where, str(field or error.field or "-"), error.message)
                continue
            if code in existing_services:
                result.services_updated += 1
            else:
                result.services_created += 1
        if problems.found:
            raise CatalogueImportError(problems.found)  # leaving the block undoes every write
    return result


def _service_fields(
    reader: _Reader,
    node: dict[str, Any],
    where: str,
    problems: _Problems,
    channel_codes: dict[str, str],
    existing_channels: set[str],
    events: dict[str, LifeEvent],
) -> dict[str, Any] | None:
    before = len(problems.found)
    titles = _languages(reader, node, DCT + "title", where, "dct:title", problems)
    if not titles.get("es"):
        problems.add(where, "dct:title", "needs a Spanish (@language es) title")
    descriptions = _languages(reader, node, DCT + "description", where, "dct:description", problems)

    duration = _text(reader.one(node, CV + "processingTime"))
    match = _DAYS.match(str(duration)) if duration is not None else None
    if duration is None:
        deadline = 30
    elif match is None:
        problems.add(
            where, "cv:processingTime", f"expected working days such as 'P5D', got {duration!r}"
        )
        deadline = 0
    else:
        deadline = int(match.group(1))

    channels = []
    for ref in reader.values(node, CV + "hasChannel"):
        code = channel_codes.get(str(_ref(ref)))
        if code is None or code not in existing_channels:
            problems.add(where, "cv:hasChannel", f"unknown channel {_ref(ref)!r}")
        else:
            channels.append(code)

    life_events = []
    for ref in reader.values(node, CV + "isGroupedBy"):
        event = events.get(str(_ref(ref)))
        if event is None:
            problems.add(where, "cv:isGroupedBy", f"{_ref(ref)!r} is not an event in the file")
        else:
            life_events.append(event)

    cost_texts: dict[str, str] = {}
    amount = None
    costs = [c for c in reader.values(node, CV + "hasCost") if isinstance(c, dict)]
    if costs:
        cost = costs[0]
        cost_texts = _languages(
            reader, cost, DCT + "description", where, "cv:hasCost dct:description", problems
        )
        currency = _ref(reader.one(cost, CV + "currency"))
        if currency not in (None, EUR, "EUR"):
            problems.add(where, "cv:hasCost cv:currency", f"only euros are kept, not {currency!r}")
        value = _text(reader.one(cost, CV + "hasValue"))
        if value is not None:
            try:
                amount = Decimal(str(value)).quantize(Decimal("0.01"))
            except InvalidOperation:
                problems.add(where, "cv:hasCost cv:hasValue", f"not a number: {value!r}")
            else:
                if not amount.is_finite() or amount < 0:
                    problems.add(where, "cv:hasCost cv:hasValue", "must be zero or more")

    evidence = []
    for position, item in enumerate(reader.values(node, CPSV + "hasInput"), start=1):
        if not isinstance(item, dict):
            problems.add(where, "cpsv:hasInput", f"item {position} is not a cv:Evidence node")
            continue
        code = _text(reader.one(item, DCT + "identifier"))
        names = _languages(reader, item, DCT + "title", where, "cpsv:hasInput dct:title", problems)
        if not code or not names.get("es"):
            problems.add(
                where, "cpsv:hasInput", f"item {position} needs dct:identifier and a Spanish title"
            )
            continue
        evidence.append({"code": str(code), "name_es": names["es"], "name_en": names.get("en", "")})

    outputs = [o for o in reader.values(node, CPSV + "produces") if isinstance(o, dict)]
    output = (
        _languages(reader, outputs[0], DCT + "title", where, "cpsv:produces dct:title", problems)
        if outputs
        else {}
    )

    schema = reader.one(node, VTN + "inputSchema")
    if isinstance(schema, dict) and set(schema) == {"@type", "@value"}:
        schema = schema["@value"]  # the expanded form of an @json literal
    if schema is not None and not isinstance(schema, dict):
        problems.add(where, "vtn:inputSchema", "must be a JSON Schema object")
        schema = None

    categories = []
    for value in reader.values(node, VTN + "dataCategory"):
        code = _text(value)
        if code not in DataCategory.values:
            problems.add(
                where,
                "vtn:dataCategory",
                f"unknown category {code!r}; use {', '.join(DataCategory.values)}",
            )
            continue
        categories.append(str(code))

    flags = {}
    for prop, name, default in (
        ("reopenIfUnhappy", "reopen_if_unhappy", False),
        ("anonymousReports", "anonymous_reports", False),
        ("active", "active", True),
    ):
        value = _text(reader.one(node, VTN + prop))
        if value is not None and not isinstance(value, bool):
            problems.add(where, f"vtn:{prop}", "must be true or false")
        flags[name] = default if value is None else bool(value)

    if len(problems.found) > before:
        return None
    return {
        "name_es": titles["es"],
        "name_en": titles.get("en", titles["es"]),
        "description_es": descriptions.get("es", ""),
        "description_en": descriptions.get("en", ""),
        "deadline_days": deadline,
        "channels": channels,
        "life_events": life_events,
        "cost_es": cost_texts.get("es", ""),
        "cost_en": cost_texts.get("en", ""),
        "cost_amount": amount,
        "output_es": output.get("es", ""),
        "output_en": output.get("en", ""),
        "evidence": evidence,
        "input_schema": schema or {},
        "data_categories": sorted(set(categories)),
        **flags,
    }
