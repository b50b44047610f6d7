"""Offline JSON-LD document loader over the bundled contexts, and the shared context cache.

The files in `contexts/` are the published standards documents (W3C VC Data Model 2.0,
Data Integrity, DID Core; 1EdTech Open Badges 3.0 and CLR 2.0), copied verbatim. Issuing and
verifying never fetch anything: a URL that is not in `CONTEXT_FILES` is refused.
"""

import copy
import functools
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from pyld.context_resolver import ContextResolver

from .errors import UnknownContextError

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_V2P0 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

CONTEXT_FILES: dict[str, str] = {
    VC_V2: "credentials-v2.jsonld",
    VC_EXAMPLES_V2: "credentials-examples-v2.jsonld",
    OB_V3P0: "ob-v3p0-3.0.3.json",
    CLR_V2P0: "clr-v2p0-2.0.1.json",
    DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    DID_V1: "did-v1.jsonld",
    OB_V3P0_EXTENSIONS: "ob-v3p0-extensions.json",
}


@functools.cache
def _parsed_context(url: str) -> dict[str, Any]:
    """Read and parse one bundled context file, once per process."""
    with (CONTEXTS_DIR / CONTEXT_FILES[url]).open(encoding="utf-8") as handle:
        return json.load(handle)


def load_context(url: str) -> dict[str, Any]:
    """Return a private copy of the bundled context document for `url`."""
    if url not in CONTEXT_FILES:
        raise UnknownContextError(url)
    # pyld resolves relative @context URLs in place inside what it is given, so the parsed
    # original is never handed out; this runs only on a context-cache miss.
    return copy.deepcopy(_parsed_context(url))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader: the bundled context for `url`, else `UnknownContextError`."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        # pyld keeps a resolved remote context in the shared cache only when tagged "static".
        "tag": "static",
    }


class _ContextCache:
    """Thread-safe store for pyld's resolved contexts (a `ContextResolver` shared cache).

    The bundled contexts are pinned, so their processed forms are computed once per process.
    Inline contexts from documents (keyed by their canonical JSON, so possibly large and
    attacker-chosen) go to a small LRU: they can neither grow memory without bound nor evict
    the bundled ones.
    """

    def __init__(self, max_inline: int = 64) -> None:
        self._lock = threading.Lock()
        self._pinned: dict[str, Any] = {}
        self._inline: OrderedDict[str, Any] = OrderedDict()
        self._max_inline = max_inline

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            if key in self._pinned:
                return self._pinned[key]
            if key in self._inline:
                self._inline.move_to_end(key)
                return self._inline[key]
            return default

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            if key in CONTEXT_FILES:
                self._pinned[key] = value
                return
            self._inline[key] = value
            self._inline.move_to_end(key)
            while len(self._inline) > self._max_inline:
                self._inline.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pinned.clear()
            self._inline.clear()


CONTEXT_CACHE = _ContextCache()
"""The process-wide cache of resolved contexts behind every `ContextResolver` made here."""


def clear_context_cache() -> None:
    """Forget every processed context (for benchmarks and tests; never needed otherwise)."""
    CONTEXT_CACHE.clear()


def jsonld_options(resolver: ContextResolver | None = None, **extra: Any) -> dict[str, Any]:
    """Options for one pyld call: the offline loader and a resolver over the shared cache."""
    # Passing both explicitly means pyld's default (network) loader and its process-global
    # context cache, keyed by URL whatever loader filled it, are never consulted. A resolver
    # holds per-operation state, so each call gets a new one over the shared cache.
    return {
        "documentLoader": document_loader,
        "contextResolver": resolver or ContextResolver(CONTEXT_CACHE, document_loader),
        **extra,
    }
