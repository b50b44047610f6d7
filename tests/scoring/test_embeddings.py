"""The word vectors behind the text models' meaning features: offline, pinned, checked."""

import shutil
import socket

import numpy as np
import pytest

from scoring.engine import embeddings
from scoring.engine.embeddings import (
    DIMENSIONS,
    INDEX_FILE,
    PINNED_SHA256,
    VECTORS_FILE,
    EmbeddingsError,
    load_word_vectors,
    package_directory,
)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the word vectors tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def vectors_copy(tmp_path):
    """A copy of the installed data files, to tamper with."""
    for name in (VECTORS_FILE, INDEX_FILE):
        shutil.copyfile(package_directory() / name, tmp_path / name)
    return tmp_path


def test_vectors_load_offline_from_the_installed_package_and_match_the_pin(no_network):
    vectors = load_word_vectors()
    assert vectors.sha256 == PINNED_SHA256[VECTORS_FILE]
    assert vectors.vectors.shape == (400_000, DIMENSIONS)
    circuit = np.array(vectors.embed("the bulb is in a closed circuit with the battery"))
    assert np.linalg.norm(circuit) == pytest.approx(1.0)
    related = np.array(vectors.embed("the battery and the bulb are in a closed path"))
    unrelated = np.array(vectors.embed("i would like pizza for dinner"))
    assert circuit @ related > circuit @ unrelated
    assert vectors.embed("zzqx qqzv") == (0.0,) * DIMENSIONS  # no known word


def test_an_embedding_does_not_depend_on_word_order():
    vectors = embeddings.word_vectors()
    assert vectors.embed("closed circuit battery") == vectors.embed("battery closed circuit")


def test_a_tampered_vectors_file_is_refused(vectors_copy):
    data = np.load(vectors_copy / VECTORS_FILE)
    data[123, 4] += 0.5  # one number of one word
    np.save(vectors_copy / VECTORS_FILE, data)
    with pytest.raises(EmbeddingsError, match="refusing a tampered or different file"):
        load_word_vectors(vectors_copy)


def test_a_tampered_index_is_refused(vectors_copy):
    with (vectors_copy / INDEX_FILE).open("ab") as stream:
        stream.write(b"\0")
    with pytest.raises(EmbeddingsError, match=PINNED_SHA256[INDEX_FILE]):
        load_word_vectors(vectors_copy)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(EmbeddingsError, match="is missing"):
        load_word_vectors(tmp_path)


def test_the_untampered_copy_loads(vectors_copy):
    assert load_word_vectors(vectors_copy).sha256 == PINNED_SHA256[VECTORS_FILE]


def test_a_model_trained_with_other_vectors_refuses_to_score():
    from scoring.engine import ArtifactError, TextClassifier, train_text_model
    from tests.scoring.labelled_answers import answers

    trained = train_text_model(answers(40, seed=1), n_levels=4)
    document = trained.model.to_dict()
    document["dense"]["embeddings_sha256"] = "0" * 64
    other = TextClassifier.from_dict(document)
    with pytest.raises(ArtifactError, match="word vectors"):
        other.predict("we refunded the second charge")
