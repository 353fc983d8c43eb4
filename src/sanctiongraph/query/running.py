"""Running a query, named or written out, on the embedded store or on any SPARQL 1.1 endpoint.

Parameters are bound, never pasted: on the embedded store and on an endpoint alike they
travel as a VALUES block of RDF terms, serialised and escaped by Oxigraph, placed at the
start of the WHERE clause; a value can only ever be one term."""

from __future__ import annotations

import datetime as dt
import itertools
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from sanctiongraph import project
from sanctiongraph.errors import EndpointUnavailable, QueryError, QueryTimeout, ResultTooLarge, UsageError
from sanctiongraph.identity import NAMES_QUERY, Names, names_of
from sanctiongraph.namespaces import ID, XSD
from sanctiongraph.query.library import ENTITY_ID, EntityLookup, Query, find_query, parse_query
from sanctiongraph.query.store import Readable, open_store

if TYPE_CHECKING:
    from sanctiongraph.query.endpoint import Endpoint  # which reads query forms from here

DEFAULT_TIMEOUT = 30.0
Term = ox.NamedNode | ox.BlankNode | ox.Literal
T = TypeVar("T")
_SYNTAX = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


@dataclass
class Result:
    """What a query returned: rows of terms (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts of Python values: str, int, Decimal, float, bool, date, datetime; None when unbound."""
        return [{name: to_python(term) for name, term in zip(self.variables, row)} for row in self.rows]

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (pandas is an optional extra: pip install 'sanctiongraph[pandas]')."""
        try:
            import pandas
        except ImportError:
            raise UsageError("to_dataframe needs pandas: pip install 'sanctiongraph[pandas]'") from None
        return pandas.DataFrame(self.records(), columns=self.variables)


def to_python(term: Term | None) -> Any:
    if term is None:
        return None
    if not isinstance(term, ox.Literal):
        return term.value
    datatype, value = term.datatype.value, term.value
    try:
        if datatype in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger", XSD + "positiveInteger"):
            return int(value)
        if datatype == XSD + "decimal":
            return Decimal(value)
        if datatype in (XSD + "double", XSD + "float"):
            return float(value)
        if datatype == XSD + "boolean":
            return value in ("true", "1")
        if datatype == XSD + "date":
            return dt.date.fromisoformat(value)
        if datatype == XSD + "dateTime":
            return dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return value


def resolve(query: str | Query, library: Sequence[Path] | None = None) -> Query:
    """A Query from a Query, the name of a query of the library (default: the packaged one and the current
    project's own), or SPARQL text."""
    if isinstance(query, Query):
        return query
    if re.fullmatch(r"[A-Za-z0-9_.-]+", query.strip()):
        return find_query(library or project.library_folders(project.project_if_any()), query.strip())
    return parse_query(query, "<query>")


def run_query(
    query: str | Query,
    params: dict[str, str] | None = None,
    *,
    endpoint: str | None = None,
    graph: Path | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Result:
    """Run a named query (or SPARQL text) with its parameters bound, on the built store or on an endpoint.

    A query over its time limit raises QueryTimeout; on the embedded store its evaluation
    is abandoned, not interrupted, and finishes in the background. With timeout None (or 0)
    the query runs in the calling thread with no limit."""
    resolved = resolve(query)
    stores: list[ox.Store] = []

    def run(query: Query, bindings: dict[str, ox.NamedNode | ox.Literal]) -> Result:
        if endpoint:
            limit = timeout or DEFAULT_TIMEOUT
            return _with_timeout(lambda: _remote(query, bindings, endpoint, limit), limit + 1, query)
        if not stores:
            stores.append(open_store(graph or project.find_project().graph))
        if not timeout:
            return evaluate(stores[0], query, bindings)
        return _with_timeout(lambda: evaluate(stores[0], query, bindings), timeout, query)

    return run(resolved, resolved.bindings(params or {}, entity_lookup(run)))


def entity_lookup(run: Callable[[Query, dict[str, ox.NamedNode | ox.Literal]], Result]) -> EntityLookup:
    """The lookup of the registry ID a bare name of an iri parameter stands for, on the graph `run` queries: an ID of
    the graph's registry graph (one bound lookup), else the one entity with that label or alias (all the names read,
    once). A name that has the form of an ID and names no entity is taken as an ID, as it always was (the query then
    finds nothing); any other name that names no entity, or names several, is a ValueError with the closest names."""
    lookup = _names_query()
    names: list[Names] = []

    def entity(name: str) -> str:
        is_id = ENTITY_ID.fullmatch(name) is not None
        if is_id and run(lookup, {"entity": ox.NamedNode(ID + name)}).rows:
            return name
        if not names:
            names.append(names_of(run(lookup, {}).rows))
        if is_id and names[0].resolve(name) is None:
            return name
        return names[0].identify(name)

    return entity


@lru_cache(maxsize=1)
def _names_query() -> Query:
    """The query of the registry's names, read once (a server binds entity parameters with it on every request)."""
    return parse_query(NAMES_QUERY.read_text(encoding="utf-8"), NAMES_QUERY.stem)


def evaluate(
    store: Readable,
    query: Query,
    bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    *,
    limit: int | None = None,
    default_graph: Sequence[ox.NamedNode] | None = None,
    named_graphs: Sequence[ox.NamedNode] | None = None,
) -> Result:
    """Evaluate a query on a store, its parameters bound; the default graph is the union of all graphs
    unless `default_graph` names graphs. More than `limit` rows or triples raise ResultTooLarge.

    Parameters travel as a VALUES block of escaped terms at the start of the WHERE clause, as they do
    to an endpoint: Oxigraph 0.5 joins `substitutions` only after evaluating the whole pattern, which
    on a million quads turns a millisecond into seconds."""
    text = with_values(query, dict(bindings)) if bindings else query.text
    defaults: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = list(default_graph) if default_graph else None
    named: list[ox.NamedNode | ox.BlankNode] | None = list(named_graphs) if named_graphs else None
    with _reported(query):
        answer = store.query(text, use_default_graph_as_union=defaults is None, default_graph=defaults, named_graphs=named)
        return _materialise(answer, query, limit)


def results_document(
    endpoint: Endpoint,
    query: Query,
    bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    *,
    limit: int,
    default_graph: Sequence[ox.NamedNode] | None = None,
    named_graphs: Sequence[ox.NamedNode] | None = None,
) -> bytes:
    """The SPARQL JSON results of a SELECT or ASK query on an endpoint, its parameters bound as `evaluate` binds them,
    as the endpoint sent them: checked as `evaluate` checks them (more than `limit` rows raise ResultTooLarge), but
    neither turned into terms nor written again."""
    text = with_values(query, dict(bindings)) if bindings else query.text
    with _reported(query):
        body, rows = endpoint.results_document(text, query_form(query), limit=limit, use_default_graph_as_union=not default_graph,
                                               default_graph=list(default_graph or ()) or None, named_graphs=list(named_graphs or ()) or None)
    if rows > limit:
        raise _too_large(query, limit, "rows")
    return body


@contextmanager
def _reported(query: Query) -> Iterator[None]:
    """A store's errors while it answers a query, as one line naming the query."""
    try:
        yield
    except SyntaxError as error:
        raise QueryError(_syntax_message(query, str(error))) from None
    except RuntimeError as error:
        raise QueryError(f"{query.name}: {error}") from None
    except OSError as error:
        raise QueryError(f"{query.name}: {error}") from None
    except EndpointUnavailable as error:
        raise EndpointUnavailable(f"{query.name}: {error}", timed_out=error.timed_out) from None


def _materialise(answer: Any, query: Query | None = None, limit: int | None = None) -> Result:
    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    items = list(answer if limit is None else itertools.islice(answer, limit + 1))
    if limit is not None and len(items) > limit:
        raise _too_large(query, limit, "rows" if isinstance(answer, ox.QuerySolutions) else "triples")
    if isinstance(answer, ox.QuerySolutions):
        names = [variable.value for variable in answer.variables]
        return Result("select", names, [tuple(row) for row in items])  # a solution iterates its terms in variable order
    return Result("graph", triples=items)


def _too_large(query: Query | None, limit: int, what: str) -> ResultTooLarge:
    return ResultTooLarge(f"{query.name if query else 'query'}: more than {limit} {what}, the limit; add a LIMIT or narrow the query")


def _syntax_message(query: Query, message: str) -> str:
    match = _SYNTAX.match(message)
    if not match:
        return f"{query.name}: SPARQL syntax error: {message}"
    line, column, detail = match.groups()
    return f"{query.name}: SPARQL syntax error at line {line}, column {column}: {' '.join(detail.split())}"


class _Watched:
    """Daemon threads that run work for a caller who waits with a time limit. An idle thread is reused (a new
    thread per query cost more than a small query itself); one left running an abandoned query returns to
    the pool when the query ends, and a new thread is started whenever none is idle."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], list[Any], threading.Lock]] = queue.SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def run(self, work: Callable[[], T], timeout: float) -> tuple[bool, T | BaseException | None]:
        """(True, value or raised error) when the work ended within the timeout, else (False, None)."""
        with self._lock:
            if self._idle:
                self._idle -= 1
            else:
                threading.Thread(target=self._serve, name="sanctiongraph query", daemon=True).start()
        outcome: list[Any] = []
        done = threading.Lock()
        done.acquire()
        self._jobs.put((work, outcome, done))
        if not done.acquire(timeout=timeout):
            return False, None
        return True, outcome[0]

    def _serve(self) -> None:
        while True:
            work, outcome, done = self._jobs.get()
            try:
                outcome.append(work())
            except BaseException as error:  # handed to the waiting caller
                outcome.append(error)
            with self._lock:
                self._idle += 1
            done.release()


_WATCHED = _Watched()


def _with_timeout(work: Callable[[], T], timeout: float, query: Query) -> T:
    ended, outcome = _WATCHED.run(work, timeout)
    if not ended:
        raise QueryTimeout(f"{query.name}: stopped after the time limit of {timeout:g} s; raise it with --timeout")
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome  # type: ignore[return-value]


# --- remote endpoints

def _remote(query: Query, bindings: dict[str, ox.NamedNode | ox.Literal], endpoint: str, timeout: float) -> Result:
    from sanctiongraph.query.endpoint import Endpoint  # which reads query forms from here

    return evaluate(Endpoint(endpoint, timeout=timeout), query, bindings)


def with_values(query: Query, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query text with a VALUES block of the bound terms opening its WHERE clause, and opening each branch of
    a UNION of that clause whose first triple patterns use the parameter (see _union_branches)."""
    if not bindings:
        return query.text
    text = query.text
    braces = _value_braces(text)
    if not braces:
        raise QueryError(f"{query.name}: parameters need a WHERE clause to be bound in")
    for brace, variables in braces:  # from the last brace to the first: the offsets before each insert hold
        names = sorted(name for name in bindings if variables is None or name in variables)
        if names:
            text = text[: brace + 1] + f" {values_block(names, [[bindings[n] for n in names]])} " + text[brace + 1:]
    return text


@lru_cache(maxsize=256)  # the texts bound are the library's and the server's own: a few, each bound again and again
def _value_braces(text: str) -> tuple[tuple[int, frozenset[str] | None], ...]:
    """Where a text's parameters go, last first: the brace that opens its WHERE clause (None: every parameter), and
    those that open the UNION branches in it with the variables each begins with; none without a WHERE clause."""
    where = _where_brace(text)
    if where is None:
        return ()
    found = [(where, None), *((brace, frozenset(variables)) for brace, variables in _union_branches(text, where))]
    return tuple(sorted(found, key=lambda entry: entry[0], reverse=True))


def values_block(variables: Sequence[str], rows: Iterable[Sequence[ox.NamedNode | ox.Literal | None]]) -> str:
    """A VALUES block of the rows' terms, each serialised and escaped by Oxigraph; None leaves a cell UNDEF."""
    cells = " ".join(f"({' '.join('UNDEF' if term is None else str(term) for term in row)})" for row in rows)
    return f"VALUES ({' '.join('?' + v for v in variables)}) {{ {cells} }}"


_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
    r'|[?$]\w+'  # variables
    r'|(?:[^\W\d]' + r"[\w.-]*)?:(?:[\w:%.-]|\\[_~.!$&'()*+,;=/?#@%-])*"  # prefixed names, their escapes included
    r'|\b(?:WHERE|SELECT|CONSTRUCT|ASK|DESCRIBE|SERVICE|SILENT|LOAD|UNION|OPTIONAL|FILTER|BIND|MINUS|VALUES|GRAPH)\b|[{}]',
    re.IGNORECASE,
)
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_FORM = re.compile(r"(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE)
# the prologue of a query: white space, comments, and BASE and PREFIX declarations
_PROLOGUE = re.compile(r'(?:\s+|#[^\n]*|BASE\s*<[^<>"{}|^`\\\s]*>|PREFIX\s+(?:[^\W\d][\w.-]*)?:\s*<[^<>"{}|^`\\\s]*>)*', re.IGNORECASE)
_BLOCK_ENDS = {"{", "}", "SELECT", "SERVICE", "UNION", "OPTIONAL", "FILTER", "BIND", "MINUS", "VALUES", "GRAPH"}


def _union_branches(text: str, where: int) -> list[tuple[int, set[str]]]:
    """The opening brace of each UNION branch directly inside the WHERE group that opens at `where`, with the
    variables of the triple patterns the branch starts with (before any nested group, OPTIONAL, FILTER, BIND,
    MINUS, VALUES, GRAPH, SERVICE or subquery).

    A parameter's VALUES block may open such a branch as well as the WHERE clause when that first block uses
    the parameter: every solution of the branch then binds it there, so joining the VALUES first or last gives
    the same solutions; and Oxigraph 0.5, which plans a UNION without the bindings around it, then looks the
    branch up from the parameter instead of evaluating it over the whole store."""
    tokens = [m for m in _TOKEN.finditer(text, where) if not m.group(0).startswith("#")]
    groups: list[tuple[int, int, int]] = []  # (index of "{", index of "}", brace offset) of groups at depth 1
    depth, opened = 0, 0
    for index, match in enumerate(tokens):
        if match.group(0) == "{":
            depth += 1
            if depth == 2:
                opened = index
        elif match.group(0) == "}":
            depth -= 1
            if depth == 1:
                groups.append((opened, index, tokens[opened].start()))
            elif depth == 0:
                break
    branches = []
    for opening, closing, brace in groups:
        before = tokens[opening - 1].group(0).upper() if opening > 0 else ""
        after = tokens[closing + 1].group(0).upper() if closing + 1 < len(tokens) else ""
        if "UNION" not in (before, after):
            continue
        variables = set()
        for match in tokens[opening + 1: closing]:
            if match.group(0).upper() in _BLOCK_ENDS:
                break
            if match.group(0)[0] in "?$":
                variables.add(match.group(0)[1:])
        branches.append((brace, variables))
    return branches


def query_form(query: Query) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first such keyword outside comments, strings and IRIs (the word after
    the prologue, read first: a tenth of the time of the tokeniser over it)."""
    after = _FORM.match(query.text, _PROLOGUE.match(query.text).end())  # type: ignore[union-attr]  # the prologue may be empty
    if after:
        return after.group(1).upper()
    for match in _TOKEN.finditer(query.text):
        if match.group(0).upper() in _FORMS:
            return match.group(0).upper()
    raise QueryError(f"{query.name}: not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE)")


def _where_brace(text: str) -> int | None:
    """The offset of the brace that opens the query's WHERE clause (strings, IRIs and comments skipped)."""
    first_brace, after_where = None, False
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token.upper() == "WHERE":
            after_where = True
        elif token == "{":
            if after_where:
                return match.start()
            first_brace = match.start() if first_brace is None else first_brace
    return first_brace


@dataclass(frozen=True)
class RemoteCall:
    """A SERVICE or LOAD in a query or update: the span of the keyword(s) and target, and the target IRI
    (None when the target is a variable or a prefixed name)."""

    keyword: str
    start: int
    end: int
    target: str | None


def remote_calls(text: str) -> list[RemoteCall]:
    """Where the SERVICE and LOAD keywords of a SPARQL text are, by our tokeniser (comments, strings and IRIs skipped):
    spans to cut, not a verdict; whether a text fetches is for the parser to say (sanctiongraph.server.federation)."""
    tokens = [m for m in _TOKEN.finditer(text) if not m.group(0).startswith("#")]
    calls = []
    for index, match in enumerate(tokens):
        keyword = match.group(0).upper()
        if keyword not in ("SERVICE", "LOAD"):
            continue
        following = tokens[index + 1: index + 3]
        if following and following[0].group(0).upper() == "SILENT":
            following = following[1:]
        if not following:
            calls.append(RemoteCall(keyword, match.start(), len(text), None))
            continue
        target = following[0].group(0)
        iri = target[1:-1] if target.startswith("<") else None
        calls.append(RemoteCall(keyword, match.start(), following[0].end(), iri))
    return calls


def labels_for(iris: list[str], *, endpoint: str | None = None, graph: Path | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> dict[str, str]:
    """The rdfs:label (or skos:prefLabel) of each IRI that has one, from the same store or endpoint."""
    if not iris:
        return {}
    return labels_of(run_query(labels_query(iris), endpoint=endpoint, graph=graph, timeout=timeout))


def labels_query(iris: list[str]) -> Query:
    """A query for the label of each IRI: rows (?iri ?label)."""
    values = " ".join(str(ox.NamedNode(iri)) for iri in iris)
    text = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"SELECT ?iri (SAMPLE(?name) AS ?label) WHERE {{ VALUES ?iri {{ {values} }} ?iri rdfs:label|skos:prefLabel ?name }}"
        " GROUP BY ?iri"
    )
    return parse_query(text, "labels")


def labels_of(result: Result) -> dict[str, str]:
    """IRI to label, from the result of labels_query."""
    return {row[0].value: row[1].value for row in result.rows if row[0] is not None and row[1] is not None}
