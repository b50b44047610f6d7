"""audit.merkle against hand-computed trees and the published RFC 6962/9162 test vectors."""

import hashlib

import pytest

from audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    MerkleTree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# The eight entries of the Certificate Transparency test data (certificate-transparency-go,
# merkle tests), with the roots of the trees of their first n entries.
ENTRIES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f")
]  # fmt: skip
ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
INCLUSION = {
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}  # fmt: skip
CONSISTENCY = {
    (1, 1): [],
    (1, 8): INCLUSION[(0, 8)],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}  # fmt: skip


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@pytest.fixture(scope="module")
def tree() -> MerkleTree:
    return MerkleTree([leaf_hash(entry) for entry in ENTRIES])


def test_a_three_leaf_tree_computed_by_hand():
    a, b, c = (sha256(b"\x00" + entry) for entry in (b"a", b"b", b"c"))
    # Three leaves split at two: ((a b) c).
    expected = sha256(b"\x01" + sha256(b"\x01" + a + b) + c)
    tree = MerkleTree([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")])
    assert tree.root() == expected
    assert tree.inclusion_proof(2) == [sha256(b"\x01" + a + b)]
    assert tree.inclusion_proof(0) == [b, c]
    assert tree.consistency_proof(2) == [c]


def test_leaf_and_node_hashes_are_domain_separated():
    assert leaf_hash(b"x") == sha256(b"\x00x")
    assert node_hash(b"l", b"r") == sha256(b"\x01lr")
    assert MerkleTree([]).root() == EMPTY_ROOT == sha256(b"")


@pytest.mark.parametrize("size", sorted(ROOTS))
def test_roots_match_the_published_vectors(tree, size):
    assert tree.root(size).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size"), sorted(INCLUSION))
def test_inclusion_proofs_match_the_published_vectors(tree, index, size):
    proof = tree.inclusion_proof(index, size)
    assert [node.hex() for node in proof] == INCLUSION[(index, size)]
    assert verify_inclusion(leaf_hash(ENTRIES[index]), index, size, proof, tree.root(size))


@pytest.mark.parametrize(("old", "new"), sorted(CONSISTENCY))
def test_consistency_proofs_match_the_published_vectors(tree, old, new):
    proof = tree.consistency_proof(old, new)
    assert [node.hex() for node in proof] == CONSISTENCY[(old, new)]
    assert verify_consistency(old, new, tree.root(old), tree.root(new), proof)


def test_every_proof_of_every_size_verifies_and_a_wrong_one_does_not(tree):
    for size in range(1, 9):
        root = tree.root(size)
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert verify_inclusion(leaf_hash(ENTRIES[index]), index, size, proof, root)
            assert not verify_inclusion(leaf_hash(b"forged"), index, size, proof, root)
        for old in range(1, size):
            proof = tree.consistency_proof(old, size)
            assert verify_consistency(old, size, tree.root(old), root, proof)
            assert not verify_consistency(old, size, tree.root(old), sha256(b"fork"), proof)
            assert not verify_consistency(old, size, sha256(b"fork"), root, proof)


def test_a_frontier_extended_in_batches_gives_the_same_roots(tree):
    frontier = Frontier()
    for start, end in ((0, 1), (1, 4), (4, 5), (5, 8)):
        frontier = frontier.extended(leaf_hash(entry) for entry in ENTRIES[start:end])
        assert frontier.size == end
        assert frontier.root() == tree.root(end)
    assert Frontier().root() == EMPTY_ROOT
