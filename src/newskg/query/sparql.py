"""Just enough SPARQL lexing to work on query text safely: find the query form, the
prefixes a query declares and the top-level WHERE group, and bind values there.

The tokenizer skips strings, IRIs and comments, so a brace or keyword inside one never
counts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import NamedTuple

from newskg.errors import QuerySyntaxError

# --- a tokenizer just good enough to find the top-level WHERE group ---------------------------
# Names use Unicode \w and [^\W\d] (a letter or _) rather than SPARQL's explicit code-point
# ranges: wide ranges such as \u00C0-\uFFFF make re build a 64K-entry charset map, ~10 ms
# at every start, and the tokenizer only needs to tell keywords, variables, strings, IRIs
# and comments apart.

_TOKEN_PATTERN = (
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"
              |'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<word>(?:[^\W\d][\w\-.]*)?:[\w\-.:%\\]*|[^\W\d][\w\-]*)
  | (?P<other>.)
    """
)


@functools.cache
def _token_regex() -> re.Pattern:
    # Compiled on first use, not at import.
    return re.compile(_TOKEN_PATTERN, re.VERBOSE | re.DOTALL)


class Token(NamedTuple):
    """One significant token: its kind (string, iri, var, word, other), text and offset (a named
    tuple: immutable, and cheaper to define and to make than a frozen dataclass)."""

    kind: str
    text: str
    start: int


@functools.lru_cache(maxsize=64)
def sparql_tokens(text: str) -> tuple[Token, ...]:
    """The significant tokens of SPARQL text: whitespace and comments dropped.

    Cached: preparing one query asks for the tokens of the same text several times (its form,
    its prefixes, its WHERE group), and the tokens are immutable.
    """
    tokens = []
    for match in _token_regex().finditer(text):
        kind = match.lastgroup
        assert kind is not None  # every alternative of the token regex is a named group
        if kind in ("ws", "comment"):
            continue
        tokens.append(Token(kind, match.group(), match.start()))
    return tuple(tokens)


def _keyword(token: Token) -> str:
    return token.text.upper() if token.kind == "word" else ""


QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "DROP", "CLEAR", "LOAD", "CREATE", "ADD", "MOVE", "COPY", "WITH")


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK; UPDATE if any update keyword occurs as a keyword.

    An update keyword anywhere (outside strings, IRIs and comments) counts, so a query
    followed by ``; DROP ALL`` is an update too. Raises QuerySyntaxError when no form is found.
    """
    tokens = sparql_tokens(text)
    if any(_keyword(t) in UPDATE_KEYWORDS for t in tokens):
        return "UPDATE"
    for token in tokens:
        if _keyword(token) in QUERY_FORMS:
            return _keyword(token)
    raise QuerySyntaxError("no SELECT, CONSTRUCT, DESCRIBE or ASK keyword found")


def declared_prefixes(text: str) -> set[str]:
    """The prefix names a query declares itself with PREFIX."""
    tokens = sparql_tokens(text)
    names = set()
    for i, token in enumerate(tokens[:-1]):
        if _keyword(token) == "PREFIX" and tokens[i + 1].kind == "word":
            names.add(tokens[i + 1].text.split(":", 1)[0])
    return names


def _matching_brace(tokens: tuple[Token, ...], open_index: int) -> int:
    depth = 0
    for i in range(open_index, len(tokens)):
        if tokens[i].text == "{" and tokens[i].kind == "other":
            depth += 1
        elif tokens[i].text == "}" and tokens[i].kind == "other":
            depth -= 1
            if depth == 0:
                return i
    raise QuerySyntaxError("unbalanced braces")


def where_group_offsets(text: str) -> tuple[int, int]:
    """Character offsets just after the ``{`` and at the ``}`` of the top-level WHERE group."""
    tokens = sparql_tokens(text)
    form_index = next((i for i, t in enumerate(tokens) if _keyword(t) in QUERY_FORMS + UPDATE_KEYWORDS), None)
    if form_index is None:
        raise QuerySyntaxError("no query form keyword found")
    form = _keyword(tokens[form_index])
    i = form_index + 1
    saw_where = False
    while i < len(tokens):
        token = tokens[i]
        if _keyword(token) == "WHERE":
            saw_where = True
            if form == "CONSTRUCT" and i == form_index + 1:
                raise QuerySyntaxError(
                    "parameters need the full form CONSTRUCT { template } WHERE { pattern }"
                )
        elif token.kind == "other" and token.text == "{":
            close = _matching_brace(tokens, i)
            # Without WHERE, the first group of SELECT/ASK/DESCRIBE is the pattern;
            # for CONSTRUCT and updates it is a template, so keep looking.
            if saw_where or form in ("SELECT", "ASK", "DESCRIBE"):
                return token.start + 1, tokens[close].start
            i = close
        i += 1
    raise QuerySyntaxError("no WHERE group found")


def values_block(terms: Mapping[str, str]) -> str:
    """``VALUES (?a ?b) { (term term) }`` for name -> term text; empty string for no terms."""
    if not terms:
        return ""
    names = " ".join(f"?{name}" for name in terms)
    row = " ".join(terms.values())
    return f" VALUES ({names}) {{ ({row}) }}"


def bind_parameters(text: str, terms: Mapping[str, str]) -> str:
    """Insert the VALUES block for ``terms`` as the first element of the top-level WHERE group.

    The block goes on the line of the opening brace, so line numbers of the rest stay the same.
    """
    if not terms:
        return text
    start, _ = where_group_offsets(text)
    return text[:start] + values_block(terms) + text[start:]


def variables_used(text: str) -> set[str]:
    """Names of the variables (``?x`` or ``$x``) that occur in the query text."""
    return {t.text[1:] for t in sparql_tokens(text) if t.kind == "var"}


def dollar_variables(text: str) -> set[str]:
    """Names written as ``$x``: the convention for a parameter."""
    return {t.text[1:] for t in sparql_tokens(text) if t.kind == "var" and t.text.startswith("$")}
