"""RDFC-1.0 canonicalisation of JSON-LD documents, refusing what a signature would not cover.

pyld (URDNA2015, which RDFC-1.0 standardised unchanged) does the work; this module bounds it
and closes the ways a JSON-LD document can say more than its canonical form:

- a term no context defines is silently dropped by expansion (pyld reports it to an
  `on_property_dropped` handler, which we turn into `UnsafeDocumentError`);
- a relative IRI is silently resolved by pyld against `http://example.org/base/` (other
  processors drop the triple instead); we expand against a reserved `.invalid` base and refuse
  any IRI that lands there;
- characters pyld does not escape as RDFC-1.0 requires (see `_UNESCAPED_BY_PYLD`), and integers
  other JSON-LD processors cannot represent exactly, would make our canonical form differ from
  everyone else's.

Bounding the work (the choice, and why), in two layers:

1. Input limits (`Limits`: bytes, nesting depth, context references), checked before pyld
   sees the document, plus a cooperative time budget checked where pyld's work grows fastest:
   before every context it processes (`_DeadlineContextResolver`; type-scoped contexts are
   processed again for every node of their type) and on every permutation step of RDFC-1.0's
   Hash N-Degree Quads, exponential on crafted blank-node graphs (`_DeadlineIssuer`). This
   alone is enough for documents we build ourselves (signing) and costs nothing.
2. For untrusted documents (`Limits(isolate=True)`, the default of `verify`), the same code
   runs in a child process that is killed when it overruns (see `worker`), because some pyld
   steps cannot be interrupted cooperatively (its node map is quadratic in the values of one
   property). The price is one pipe round trip: 0.3 ms per verification with a free core,
   about 2 ms when parent and child share one core.
"""

import json
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

from .errors import (
    CanonicalizationTimeout,
    DocumentTooLarge,
    InvalidDocumentError,
    ProofError,
    UnsafeDocumentError,
)
from .loader import CONTEXT_CACHE, document_loader, jsonld_options


@dataclass(frozen=True)
class Limits:
    """Bounds on the documents the core will canonicalise (sign or verify)."""

    max_bytes: int = 256 * 1024
    max_seconds: float = 2.0
    max_depth: int = 32
    max_context_urls: int = 256
    isolate: bool = False
    """Canonicalise in a child process that is killed after `max_seconds` (see `worker`)."""


DEFAULT_LIMITS = Limits()
"""For documents we build ourselves: cooperative time budget, in-process."""

VERIFY_LIMITS = Limits(isolate=True)
"""For documents from outside: the time budget is enforced by killing a worker process."""

# RDFC-1.0 serialises literals in canonical N-Quads form: BS, HT, LF, FF, CR, '"' and '\' as
# ECHAR (\b \t \n \f \r \" \\), the other C0 controls and DEL as UCHAR (\u0000 ...). pyld's
# `nquads.escape` (checked with pyld 3.3) does \t \n \r \" \\ right and writes every other
# control character raw, so a string holding one would hash differently here than in any
# conforming processor. Those characters are refused; \t \n \r are allowed. Lone surrogates
# (possible from json.loads) cannot be encoded as UTF-8 at all.
_UNESCAPED_BY_PYLD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# JSON numbers are IEEE doubles for other processors (jsonld.js), so a bigger integer would
# canonicalise to different digits there than Python's exact int does here.
_MAX_EXACT_INTEGER = 2**53

# Relative IRIs resolve against this base, which cannot name a real resource (RFC 6761).
_RELATIVE_BASE = "https://relative-iri.invalid/"
_RELATIVE_IRI = re.compile("<" + re.escape(_RELATIVE_BASE) + "([^>]*)>")

# pyld's per-context caches (cachetools LRUs) are not thread-safe, and canonicalisation is
# CPU-bound pure Python, so serialising it costs no throughput under the GIL.
_PYLD_LOCK = threading.Lock()


def _format_path(path: Sequence[str | int]) -> str:
    text = "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    return text if len(text) <= 120 else text[:57] + "…" + text[-60:]


def _walk(value: Any) -> Iterator[tuple[Any, tuple[str | int, ...], str | int | None]]:
    """Yield (value, path, key) for every JSON value, iteratively (no recursion limit)."""
    stack: list[tuple[Any, tuple[str | int, ...], str | int | None]] = [(value, (), None)]
    while stack:
        item = stack.pop()
        yield item
        node, path, _ = item
        if isinstance(node, Mapping):
            stack.extend((child, (*path, key), key) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, index), index) for index, child in enumerate(node))


def _check_string(text: str, path: tuple[str | int, ...], what: str) -> None:
    match = _UNESCAPED_BY_PYLD.search(text)
    if match:
        code = ord(match.group())
        kind = "an unpaired surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
        raise UnsafeDocumentError(
            f"The {what} at {_format_path(path)} contains U+{code:04X}, {kind} that the "
            "canonicaliser cannot serialise the way RDFC-1.0 requires; remove it (tab, line "
            "feed and carriage return are allowed)."
        )


def _check_context_value(value: Any, path: tuple[str | int, ...]) -> int:
    """Count the context URLs in one `@context` value; refuse `@base` in an inline context."""
    urls = 0
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str):
            urls += 1
        elif isinstance(entry, Mapping):
            if "@base" in entry:
                raise UnsafeDocumentError(
                    f"The context at {_format_path(path)} sets @base; embedded contexts may not "
                    "change how relative IRIs resolve (with @base null they are silently dropped)."
                )
            if isinstance(entry.get("@import"), str):
                urls += 1
    return urls


def check_document(document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a document that is not plain JSON, too big or deep, or holds unsafe values."""
    if not isinstance(document, Mapping):
        raise InvalidDocumentError("A credential must be a JSON object.")
    text_chars = 0
    context_urls = 0
    for value, path, key in _walk(document):
        if len(path) > limits.max_depth:
            raise DocumentTooLarge(
                f"The document nests deeper than {limits.max_depth} levels "
                f"(at {_format_path(path)})."
            )
        if isinstance(key, str):
            if not key:
                raise UnsafeDocumentError(f"Empty property name at {_format_path(path[:-1])}.")
            _check_string(key, path, "property name")
            text_chars += len(key)
        if key == "@context":
            context_urls += _check_context_value(value, path)
            if context_urls > limits.max_context_urls:
                raise DocumentTooLarge(
                    f"The document references more than {limits.max_context_urls} JSON-LD "
                    "contexts; each one costs processing time."
                )
        if isinstance(value, str):
            _check_string(value, path, "string")
            text_chars += len(value)
        elif isinstance(value, bool) or value is None:
            pass
        elif isinstance(value, int):
            if abs(value) > _MAX_EXACT_INTEGER:
                raise UnsafeDocumentError(
                    f"The integer at {_format_path(path)} is beyond ±2^53, where other JSON-LD "
                    "processors lose precision and would not reproduce the signature; write it "
                    "as a string."
                )
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise InvalidDocumentError(f"The number at {_format_path(path)} is not finite.")
        elif not isinstance(value, Mapping | list):
            raise InvalidDocumentError(
                f"The value at {_format_path(path)} is a {type(value).__name__}, not JSON."
            )
        # A lower bound of the serialised size: refuse a huge document before serialising it.
        if text_chars > limits.max_bytes:
            raise DocumentTooLarge(
                f"The document holds more than {limits.max_bytes} bytes of text; the limit is "
                f"{limits.max_bytes} bytes."
            )
    size = document_size(document)
    if size > limits.max_bytes:
        raise DocumentTooLarge(
            f"The document is {size} bytes of JSON; the limit is {limits.max_bytes} bytes."
        )


def document_size(document: Mapping[str, Any]) -> int:
    """Size in bytes of the compact UTF-8 JSON serialisation of `document`."""
    try:
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidDocumentError(f"The document is not plain JSON: {exc}.") from exc
    return len(text.encode("utf-8", errors="surrogatepass"))


def parse_document(data: str | bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Parse JSON text after checking its size; the result still needs `check_document`."""
    size = len(data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data)
    if size > limits.max_bytes:
        raise DocumentTooLarge(
            f"The document is {size} bytes; the limit is {limits.max_bytes} bytes."
        )

    def refuse_constant(name: str) -> None:
        raise InvalidDocumentError(f"{name} is not a JSON number.")

    try:
        document = json.loads(data, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise InvalidDocumentError(f"The document is not valid JSON: {exc}.") from exc
    if not isinstance(document, dict):
        raise InvalidDocumentError("A credential must be a JSON object.")
    return document


@dataclass(frozen=True)
class _Budget:
    deadline: float
    max_seconds: float

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise CanonicalizationTimeout(
                f"RDF canonicalisation did not finish within {self.max_seconds:g} s; the "
                "document is likely built to be expensive to process (many interlinked blank "
                "nodes or scoped contexts)."
            )


class _DeadlineContextResolver(ContextResolver):
    """pyld calls `resolve` before processing any context: a clock check during expansion."""

    def __init__(self, budget: _Budget) -> None:
        super().__init__(CONTEXT_CACHE, document_loader)
        self._budget = budget

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        self._budget.check()
        return super().resolve(active_ctx, context, base, cycles)


class _DeadlineIssuer(IdentifierIssuer):
    """The canonical issuer, which pyld consults on every permutation step: a clock check."""

    def __init__(self, prefix: str, budget: _Budget) -> None:
        super().__init__(prefix)
        self._budget = budget

    def has_id(self, old: str) -> bool:
        self._budget.check()
        return super().has_id(old)


class _BoundedURDNA2015(URDNA2015):
    def __init__(self, budget: _Budget) -> None:
        super().__init__()
        self.canonical_issuer = _DeadlineIssuer("_:c14n", budget)


def _proof_error_in(exc: BaseException) -> ProofError | None:
    """pyld wraps errors raised by our loader and hooks; find ours in the cause chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ProofError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _jsonld_error_message(exc: BaseException) -> str:
    """The innermost pyld message, which names the actual problem."""
    message = ""
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            break
        if current.args:
            message = str(current.args[0])
        current = current.__cause__
    return message.rstrip(".")


def _dropped_term_error(document: Mapping[str, Any], dropped: list[str | None]) -> Exception:
    # pyld passes the undefined term itself, or None for a keyword-like name ("@foo") or a
    # term its context maps to null; the former can be found in the document.
    names = {name for name in dropped if name is not None}
    names |= {
        key
        for _, _, key in _walk(document)
        if isinstance(key, str) and key.startswith("@") and key not in jsonld.KEYWORDS
    }
    if not names:
        return UnsafeDocumentError(
            "A property is mapped to null by the document's JSON-LD context, so processing "
            "drops it and the signature would not cover it; remove it."
        )
    paths = sorted(_format_path(path) for _, path, key in _walk(document) if key in names)
    quoted = ", ".join(repr(name) for name in sorted(names))
    subject, it = (
        (f"The term {quoted} is", "it") if len(names) == 1 else (f"The terms {quoted} are", "them")
    )
    return UnsafeDocumentError(
        f"{subject} not defined by the document's JSON-LD contexts (at {', '.join(paths[:5])}), "
        f"so JSON-LD processing drops {it} and the signature would not cover {it}; define "
        f"{it} in a context or remove {it}."
    )


def _canonicalize_checked(document: Mapping[str, Any], budget: _Budget) -> str:
    """Canonicalise a document that passed `check_document`; the caller holds `_PYLD_LOCK`."""
    dropped: list[str | None] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    options = jsonld_options(
        _DeadlineContextResolver(budget), base=_RELATIVE_BASE, produceGeneralizedRdf=False
    )
    try:
        # What jsonld.normalize(URDNA2015) does, with our bounded canonicaliser at the end.
        dataset = processor.to_rdf(dict(document), options)
    except jsonld.JsonLdError as exc:
        ours = _proof_error_in(exc)
        if ours is not None:
            raise ours from None
        raise InvalidDocumentError(
            f"The document is not valid JSON-LD: {_jsonld_error_message(exc)}."
        ) from exc
    except RecursionError as exc:
        raise DocumentTooLarge("The document is too deeply nested to process.") from exc
    if dropped:
        raise _dropped_term_error(document, dropped)
    budget.check()
    try:
        canonical = _BoundedURDNA2015(budget).main(dataset, {"format": "application/n-quads"})
    except RecursionError as exc:
        raise DocumentTooLarge("The document's blank nodes are chained too deeply.") from exc
    relative = _RELATIVE_IRI.findall(canonical)
    if relative:
        values = ", ".join(repr(value) for value in sorted(set(relative))[:5])
        raise UnsafeDocumentError(
            f"The document contains the relative IRI {values}; identifiers and types must be "
            "absolute IRIs (for example https://…, urn:uuid:…, did:…)."
        )
    return canonical


def canonicalize_all(
    documents: Sequence[Mapping[str, Any]], limits: Limits = DEFAULT_LIMITS, check: bool = True
) -> list[str]:
    """RDFC-1.0 canonical N-Quads of each document, all within one time budget.

    `check=False` skips `check_document` for documents the caller has already checked.
    """
    if check:
        for document in documents:
            check_document(document, limits)
    if limits.isolate:
        from .worker import canonicalize_in_worker  # imports this module: import when needed

        return canonicalize_in_worker(list(documents), limits)
    with _PYLD_LOCK:
        budget = _Budget(time.monotonic() + limits.max_seconds, limits.max_seconds)
        return [_canonicalize_checked(document, budget) for document in documents]


def canonicalize(document: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (raises rather than drop anything)."""
    return canonicalize_all([document], limits)[0]
