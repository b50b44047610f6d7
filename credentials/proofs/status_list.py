"""Bitstring Status List v1.0: the `encodedList` bitstring of a status list credential.

Index 0 is the left-most (most significant) bit of the first byte. `encodedList` is the
multibase base64url (no padding, prefix `u`) of the GZIP-compressed bitstring.
"""

import base64
import gzip
import re
import zlib

from .errors import StatusListError

MIN_BITS = 131_072
"""The specification's minimum length (16 KiB), so one entry does not identify its holder."""

MULTIBASE_BASE64URL = "u"
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")

DEFAULT_MAX_DECODED_BYTES = 16 * 1024 * 1024
"""Decoding stops beyond this many bytes, so a small gzip bomb cannot exhaust memory."""


class StatusBitstring:
    """A mutable status bitstring (one bit per credential, statusSize 1)."""

    def __init__(self, size: int = MIN_BITS) -> None:
        if size < MIN_BITS or size % 8:
            raise StatusListError(
                f"A status list needs at least {MIN_BITS} bits, in whole bytes; got {size}."
            )
        self._bits = bytearray(size // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> "StatusBitstring":
        """A bitstring over a copy of `data` (at least 16 KiB)."""
        bitstring = cls(len(data) * 8)
        bitstring._bits[:] = data
        return bitstring

    def __len__(self) -> int:
        return len(self._bits) * 8

    def to_bytes(self) -> bytes:
        """The raw bitstring."""
        return bytes(self._bits)

    def _locate(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self):
            raise StatusListError(
                f"Status list index {index!r} is outside the list (0 to {len(self) - 1})."
            )
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        """The bit at `index` (True: the status applies, e.g. revoked)."""
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set or clear the bit at `index`."""
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def encode(self) -> str:
        """The `encodedList` value: `u` + base64url(gzip(bitstring)), without padding."""
        # mtime=0 makes the output a function of the bits alone (reproducible credentials).
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode(
            "ascii"
        )

    @classmethod
    def decode(cls, encoded: str, max_bytes: int = DEFAULT_MAX_DECODED_BYTES) -> "StatusBitstring":
        """The bitstring of an `encodedList` value, refusing malformed or oversized input."""
        if not isinstance(encoded, str) or not encoded.startswith(MULTIBASE_BASE64URL):
            raise StatusListError("encodedList must be multibase base64url (starting with 'u').")
        body = encoded[1:]
        if not _BASE64URL.match(body) or len(body) % 4 == 1:
            raise StatusListError("encodedList is not valid base64url.")
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing only
        try:
            data = decompressor.decompress(compressed, max_bytes + 1)
        except zlib.error as exc:
            raise StatusListError(f"encodedList is not GZIP data: {exc}.") from exc
        if len(data) > max_bytes:
            raise StatusListError(f"The status list decompresses to more than {max_bytes} bytes.")
        if not decompressor.eof or decompressor.unused_data:
            raise StatusListError("encodedList is truncated or has data after the GZIP stream.")
        if len(data) * 8 < MIN_BITS:
            raise StatusListError(
                f"The status list has {len(data) * 8} bits; at least {MIN_BITS} are required."
            )
        return cls.from_bytes(data)
