"""Typed query parameters: validation against a saved query's header, and one escaped term each.

A value is never pasted into query text. It is checked against its declared
type and turned into one escaped RDF term; `newskg.query.sparql.bind_parameters`
binds the terms by a ``VALUES`` block placed as the first element of the query's
top-level ``WHERE`` group, so no value can change the text around it.

A parameter whose default is empty is optional: without a value it is bound to ``UNDEF``,
which joins with any value, so the query's own patterns decide (``?claim nkg:reportedIn
?report`` lists every report's claims; with a value, that report's only). The ``report`` type
names a report of the build by its slug or its document's IRI.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import NamedTuple

from newskg.errors import ParameterError
from newskg.namespaces import PREFIXES, report_document, report_of_document
from newskg.terms import IRI_FORBIDDEN, IRI_SCHEME, escape_string

#: Declared types of a parameter (the header's second field).
PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "date", "boolean", "report")
#: The term an optional parameter without a value is bound to: no value, so it matches any.
UNBOUND = "UNDEF"

_XSD = PREFIXES["xsd"]
# Patterns as text, compiled by `re` on first use (and cached there): `query run` imports this
# module, and most runs check one or two of them.
_INTEGER = r"[+-]?\d+"
_DECIMAL = r"[+-]?(\d+(\.\d*)?|\.\d+)"
_DATE = r"\d{4}-\d{2}-\d{2}"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class ParameterSpec(NamedTuple):
    """One ``#+ param:`` line: name, type, default (None = required, "" = optional: unbound when
    not given), description, allowed values.

    A named tuple, immutable like the frozen dataclass it was, at a fraction of the cost of
    defining one when `query run` starts.
    """

    name: str
    type: str
    default: str | None
    description: str = ""
    allowed: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def optional(self) -> bool:
        """Without a value the parameter is unbound: the query answers for every value."""
        return self.default == ""

    def describe(self) -> str:
        """A one-line summary for listings and error messages."""
        default = "required" if self.required else "optional" if self.optional else f"default {self.default}"
        return f"{self.name} ({self.type}, {default})"


def parse_parameter_line(value: str) -> ParameterSpec:
    """Parse the value of a ``#+ param:`` header line.

    Format: ``name | type | default | description | allowed values (comma separated)``;
    a default of ``-`` means the parameter is required, an empty one that it is optional (unbound,
    so any value, when not given). Raises ValueError with the reason.
    """
    fields = [part.strip() for part in value.split("|")]
    if len(fields) < 3 or len(fields) > 5:
        raise ValueError("expected 'name | type | default | description [| allowed values]'")
    name, type_, default = fields[:3]
    if not re.fullmatch(_NAME, name):
        raise ValueError(f"parameter name {name!r} is not a SPARQL variable name")
    if type_ not in PARAMETER_TYPES:
        raise ValueError(f"parameter {name!r}: unknown type {type_!r}; types: {', '.join(PARAMETER_TYPES)}")
    description = fields[3] if len(fields) > 3 else ""
    allowed = tuple(v.strip() for v in fields[4].split(",") if v.strip()) if len(fields) > 4 else ()
    spec = ParameterSpec(name, type_, None if default == "-" else default, description, allowed)
    if spec.default:
        try:
            term_for(spec, spec.default)
        except ParameterError as err:
            raise ValueError(f"default of {name!r} is invalid: {err}") from None
    return spec


# --- values to RDF terms ----------------------------------------------------------------------


def _typed(lexical: str, datatype: str) -> str:
    return f'"{escape_string(lexical)}"^^<{_XSD}{datatype}>'


def _iri_term(spec: ParameterSpec, value: str) -> str:
    from newskg.namespaces import expand_iri

    text = value.strip()
    inner = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    if IRI_FORBIDDEN.search(inner):
        raise ParameterError(
            f"parameter {spec.name!r}: {value!r} is not an IRI "
            "(spaces and <>\"{}|^`\\ are not allowed); give a CURIE like nkr:ISI or a full IRI"
        )
    try:
        iri = expand_iri(text)
    except ValueError as err:
        raise ParameterError(f"parameter {spec.name!r}: {err}") from None
    if IRI_FORBIDDEN.search(iri) or not IRI_SCHEME.match(iri):
        raise ParameterError(f"parameter {spec.name!r}: {value!r} does not expand to an absolute IRI")
    import pyoxigraph  # the engines' own IRI parser (RFC 3987): what it refuses, no store would take

    try:
        pyoxigraph.NamedNode(iri)
    except ValueError as err:
        raise ParameterError(f"parameter {spec.name!r}: {value!r} is not a valid IRI ({err})") from None
    return f"<{iri}>"


def _report_term(spec: ParameterSpec, value: str, reports: Collection[str] | None) -> str:
    """A report's document IRI from its slug or its IRI; checked against ``reports`` (the slugs
    of the build) when they are known, else only for its form."""
    from newskg.authoring import SLUG_PATTERN

    text = value.strip()
    slug = text if SLUG_PATTERN.fullmatch(text) else report_of_document(_iri_term(spec, value)[1:-1])
    if reports is not None and slug not in reports:
        shown = sorted(reports)
        listing = ", ".join(shown[:20]) + (f" and {len(shown) - 20} more" if len(shown) > 20 else "")
        raise ParameterError(f"parameter {spec.name!r}: {value!r} is no report of the build; "
                             f"its reports: {listing or 'none'} (a slug, or its IRI nkr:<slug>/article)")
    if slug is None:
        raise ParameterError(f"parameter {spec.name!r}: {value!r} is not a report: give its slug "
                             "(its folder under graph/) or its IRI nkr:<slug>/article")
    return f"<{report_document(slug)}>"


def term_for(spec: ParameterSpec, value: str, reports: Collection[str] | None = None) -> str:
    """The SPARQL text of one escaped RDF term for ``value`` read as ``spec.type``.

    ``reports`` are the slugs of the build's reports, which a ``report`` value must name (None:
    not known here, so only the form of the value is checked). Raises ParameterError naming the
    parameter when the value does not fit its type.
    """
    def bad(expected: str) -> ParameterError:
        return ParameterError(f"parameter {spec.name!r}: {value!r} is not {expected}")

    try:
        value.encode("utf-8")  # fails exactly for a surrogate code point (U+D800 to U+DFFF)
    except UnicodeEncodeError:
        # What Python makes of command-line bytes that are not UTF-8; no engine can send it.
        raise ParameterError(f"parameter {spec.name!r}: the value is not Unicode text (bytes that are not "
                             "UTF-8?); give it in UTF-8") from None

    if spec.type == "iri":
        return _iri_term(spec, value)
    if spec.type == "report":
        return _report_term(spec, value, reports)
    if spec.type == "string":
        return f'"{escape_string(value)}"'
    if spec.type == "integer":
        if not re.fullmatch(_INTEGER, value.strip()):
            raise bad("an integer")
        return _typed(str(int(value)), "integer")
    if spec.type == "decimal":
        if not re.fullmatch(_DECIMAL, value.strip()):
            raise bad("a decimal number")
        from decimal import Decimal, InvalidOperation  # ~2 ms: only for decimal parameters

        try:
            return _typed(str(Decimal(value.strip())), "decimal")
        except InvalidOperation:
            raise bad("a decimal number") from None
    if spec.type == "date":
        if not re.fullmatch(_DATE, value.strip()):
            raise bad("a date (YYYY-MM-DD)")
        try:
            return _typed(date.fromisoformat(value.strip()).isoformat(), "date")
        except ValueError:
            raise bad("a date (YYYY-MM-DD)") from None
    if spec.type == "boolean":
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise bad("a boolean (true or false)")
        return _typed(lowered, "boolean")
    raise ParameterError(f"parameter {spec.name!r}: unknown type {spec.type!r}")


def resolve_parameters(specs: Iterable[ParameterSpec], given: Mapping[str, str],
                       reports: Collection[str] | None = None) -> dict[str, str]:
    """Validate ``given`` (name -> raw value) against the declared ``specs``.

    Returns name -> SPARQL term text for every declared parameter (defaults filled in; an
    optional parameter without a value, or given an empty one, is UNBOUND). ``reports``: the
    slugs a ``report`` value must name (see `term_for`).
    Raises ParameterError for an unknown name, a missing required value, a value of the wrong
    type or one outside the allowed values; the message lists the parameters that exist.
    """
    specs = list(specs)
    by_name = {s.name: s for s in specs}
    listing = ", ".join(s.describe() for s in specs) or "none"
    for name in given:
        if name not in by_name:
            raise ParameterError(f"unknown parameter {name!r}; this query takes: {listing}")
    terms: dict[str, str] = {}
    for spec in specs:
        if spec.optional and not given.get(spec.name, "").strip():
            # An empty value too: a form's empty field, or `-p report=`, asks for every value.
            terms[spec.name] = UNBOUND
            continue
        if spec.name in given:
            raw = given[spec.name]
        elif spec.default is not None:
            raw = spec.default
        else:
            raise ParameterError(
                f"missing required parameter {spec.name!r} (-p {spec.name}=...); this query takes: {listing}"
            )
        term = term_for(spec, raw, reports)
        if spec.allowed:
            allowed_terms = {term_for(spec, a): a for a in spec.allowed}
            if term not in allowed_terms:
                raise ParameterError(
                    f"parameter {spec.name!r}: {raw!r} is not allowed; allowed values: "
                    + ", ".join(spec.allowed)
                )
        terms[spec.name] = term
    return terms


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``["name=value", ...]`` (the CLI's -p options) into a dict; the value may hold '='."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"parameter {pair!r} is not of the form name=value")
        values[name.strip()] = value
    return values
