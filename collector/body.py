"""Reading a request body under a hard size cap, decompressing gzip/deflate incrementally.

The cap applies to the decompressed size and is enforced while inflating (zlib max_length),
so a gzip bomb costs at most the cap in memory before it is refused.
"""

from __future__ import annotations

import zlib

from collector.errors import DecodeError, PayloadTooLarge, UnsupportedMediaType

# Content-Encoding -> zlib wbits: gzip framing, and HTTP "deflate" = zlib framing.
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class BodyReader:
    """Accumulates body chunks, inflating them if compressed, and refuses more than `limit`."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._encoding = encoding.strip().lower() or "identity"
        if self._encoding != "identity" and self._encoding not in _WBITS:
            raise UnsupportedMediaType(
                f"Content-Encoding {self._encoding[:32]!r} is not supported "
                "(use gzip, deflate or identity)"
            )
        self._limit = limit
        self._out = bytearray()
        self._inflater = self._new_inflater()

    def _new_inflater(self) -> zlib._Decompress | None:
        wbits = _WBITS.get(self._encoding)
        return None if wbits is None else zlib.decompressobj(wbits)

    def _room(self) -> int:
        return self._limit - len(self._out)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"body exceeds the limit of {self._limit} bytes")

    def feed(self, chunk: bytes) -> None:
        """Add the next chunk; PayloadTooLarge past the limit, DecodeError on a corrupt stream."""
        if self._inflater is None:
            if len(chunk) > self._room():
                raise self._too_large()
            self._out += chunk
            return
        inflater = self._inflater
        while chunk:
            try:
                data = inflater.decompress(chunk, self._room() + 1)
            except zlib.error as error:
                raise DecodeError(f"corrupt {self._encoding} body: {error}") from None
            if len(data) > self._room():
                raise self._too_large()
            self._out += data
            if inflater.unconsumed_tail:
                raise self._too_large()  # output was capped, so more remains than room
            chunk = b""
            if inflater.eof and inflater.unused_data:
                chunk = inflater.unused_data  # a further gzip member
                inflater = self._inflater = zlib.decompressobj(_WBITS[self._encoding])

    def finish(self) -> bytes:
        """The whole decoded body; DecodeError if a compressed stream ended early."""
        if self._inflater is not None and not self._inflater.eof:
            raise DecodeError(f"truncated {self._encoding} body")
        return bytes(self._out)
