"""Published versions, read and parsed once per process.

A published version never changes (a database trigger refuses it), so its document and the
forms compiled from it (steps by id for the candidate pages, the engine's compiled assessment
for scoring) can live as long as the process: no request or job re-reads or re-parses the
document. Entries are keyed by version id *and* content hash, so a row changed under the same
id would be a miss, never a stale hit; the hash is checked once, when the document is read.

Callers share the cached objects: they must not modify them.
"""

from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar

from cachetools import LRUCache

import flow
from assessments.exceptions import ContentMismatch
from assessments.models import AssessmentVersion
from audit.canonical import json_sha256

T = TypeVar("T")

# Each version holds its document and a few compiled forms; a process rarely sees more than a
# handful of live versions, and the least recently used go first.
CACHE_ENTRIES = 256
_DOCUMENT = "document"
_STEPS = "steps"


class PublishedVersionCache:
    """The process's one cache of published versions and what is compiled from them: bounded
    (least recently used entries go first) and safe to share between threads."""

    def __init__(self, maxsize: int = CACHE_ENTRIES):
        self._entries: LRUCache = LRUCache(maxsize=maxsize)
        self._lock = Lock()

    def content(self, version: AssessmentVersion) -> dict:
        """The version's frozen document, read from the database at most once per process."""
        return self._get(version, _DOCUMENT, lambda: _read_document(version))

    def steps(self, version: AssessmentVersion) -> dict[str, dict]:
        """The version's steps keyed by id (``flow.steps_by_id``)."""
        return self.compiled(version, _STEPS, flow.steps_by_id)

    def compiled(self, version: AssessmentVersion, form: str, build: Callable[[dict], T]) -> T:
        """``build(document)`` for this version, built once and kept under the name ``form``."""
        return self._get(version, form, lambda: build(self.content(version)))

    def _get(self, version: AssessmentVersion, form: str, build: Callable[[], Any]) -> Any:
        key = (version.pk, version.content_sha256, form)
        with self._lock:
            found = self._entries.get(key)
        if found is not None:
            return found
        # Built outside the lock: two threads may both build a missing entry, and either
        # result is the same.
        value = build()
        with self._lock:
            self._entries[key] = value
        return value


def _read_document(version: AssessmentVersion) -> dict:
    if "content" in version.get_deferred_fields():
        content = AssessmentVersion.objects.values_list("content", flat=True).get(pk=version.pk)
    else:
        content = version.content
    if json_sha256(content) != version.content_sha256:
        raise ContentMismatch(f"The content of version {version.pk} does not match its sha256.")
    return content


published_versions = PublishedVersionCache()
