"""Bitstring Status List v1.0: encoding, decoding and bit order."""

import base64
import gzip

import pytest

from credentials.proofs import MIN_BITS, StatusBitstring, StatusListError


def encoded(data: bytes) -> str:
    """An encodedList built independently of the code under test."""
    return "u" + base64.urlsafe_b64encode(gzip.compress(data)).decode().rstrip("=")


def test_a_new_list_has_16_kib_of_clear_bits():
    bits = StatusBitstring()
    assert len(bits) == MIN_BITS == 131_072
    assert bits.to_bytes() == bytes(16 * 1024)
    assert not any(bits.get(index) for index in (0, 1, 65_535, MIN_BITS - 1))


def test_index_zero_is_the_most_significant_bit_of_the_first_byte():
    bits = StatusBitstring()
    bits.set(0)
    bits.set(7)
    bits.set(8)
    bits.set(MIN_BITS - 1)
    raw = bits.to_bytes()
    assert raw[0] == 0b1000_0001
    assert raw[1] == 0b1000_0000
    assert raw[-1] == 0b0000_0001


def test_bits_set_and_clear_independently():
    bits = StatusBitstring()
    bits.set(94_567)
    bits.set(94_568)
    bits.set(94_567, False)
    assert not bits.get(94_567)
    assert bits.get(94_568)


def test_round_trip_through_encoded_list():
    bits = StatusBitstring(MIN_BITS * 2)
    revoked = [0, 3, 4_096, 94_567, MIN_BITS * 2 - 1]
    for index in revoked:
        bits.set(index)
    value = bits.encode()
    assert value.startswith("u")
    assert "=" not in value and "+" not in value and "/" not in value
    decoded = StatusBitstring.decode(value)
    assert len(decoded) == MIN_BITS * 2
    assert [index for index in range(len(decoded)) if decoded.get(index)] == revoked


def test_encoded_list_is_gzip_and_deterministic():
    bits = StatusBitstring()
    bits.set(42)
    value = bits.encode()
    body = value[1:]
    compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert compressed[:2] == b"\x1f\x8b"
    assert gzip.decompress(compressed) == bits.to_bytes()
    assert bits.encode() == value


def test_decodes_a_list_written_by_another_implementation():
    data = bytearray(16 * 1024)
    data[0] = 0b0100_0000  # index 1
    data[2] = 0b0000_0010  # index 22
    bits = StatusBitstring.decode(encoded(bytes(data)))
    assert [index for index in range(40) if bits.get(index)] == [1, 22]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (encoded(bytes(16 * 1024))[1:], "starting with 'u'"),
        ("u" + "!" * 8, "base64url"),
        ("u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="), "GZIP"),
        (encoded(bytes(1024)), "at least 131072"),
        (encoded(bytes(16 * 1024))[:-6], "truncated"),
        (
            "u"
            + base64.urlsafe_b64encode(gzip.compress(bytes(16 * 1024)) + b"x").decode().rstrip("="),
            "after",
        ),
    ],
)
def test_malformed_encoded_lists_are_refused(value, words):
    with pytest.raises(StatusListError, match=words):
        StatusBitstring.decode(value)


def test_a_gzip_bomb_is_refused():
    bomb = encoded(bytes(64 * 1024 * 1024))  # 64 MiB of zeros, about 64 KiB compressed
    assert len(bomb) < 100_000
    with pytest.raises(StatusListError, match="more than"):
        StatusBitstring.decode(bomb)


@pytest.mark.parametrize("index", [-1, MIN_BITS, True, 1.0])
def test_indexes_outside_the_list_are_refused(index):
    with pytest.raises(StatusListError, match="outside the list"):
        StatusBitstring().get(index)


@pytest.mark.parametrize("size", [8, MIN_BITS - 8, MIN_BITS + 1])
def test_lists_below_the_minimum_or_in_partial_bytes_are_refused(size):
    with pytest.raises(StatusListError, match="at least 131072 bits"):
        StatusBitstring(size)
