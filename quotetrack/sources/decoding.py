"""Decoding file bytes: BOMs, UTF-8, UTF-16/32, legacy code pages; never raises."""
from __future__ import annotations

# --------------------------------------------------------------------------- decoding

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
_ASCII = bytes(range(128))


def _bom(data: bytes):
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return bom, codec, name
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns (text, encoding name). Never raises.

    UTF-8 (a BOM is stripped, so offsets exclude it), UTF-16/32 with a BOM, strict
    UTF-8, then (for mostly-ASCII text) cp1252 when it decodes, else latin-1. Text that
    is mostly non-ASCII and not UTF-8 is handed to charset-normalizer first (Cyrillic,
    Greek, ... legacy code pages).
    """
    if not data:
        return "", "utf-8"
    bom = _bom(data)
    if bom:
        mark, codec, name = bom
        try:
            return data[len(mark):].decode(codec), name
        except UnicodeDecodeError:
            return data[len(mark):].decode(codec, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly:
        return mostly
    non_ascii = len(data.translate(None, _ASCII))
    if len(data) >= 64 and non_ascii > 0.2 * len(data):
        guess = _guess_legacy(data)
        if guess:
            return guess
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _mostly_utf8(data: bytes):
    """UTF-8 with a few invalid bytes (a truncated or corrupted file): decode as UTF-8
    with each invalid sequence replaced by U+FFFD rather than read the whole file as
    cp1252 mojibake. Chosen when the valid multi-byte characters are at least as many
    as the invalid sequences (legacy 8-bit text almost never forms valid UTF-8)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if bad <= 0:
        return None
    valid = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if valid < bad:
        return None
    return text, f"utf-8 ({bad} invalid byte{'' if bad == 1 else 's'} replaced)"


def _guess_legacy(data: bytes):
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:200_000]).best()
        if best is None or not best.encoding:
            return None
        enc = best.encoding
        norm = enc.replace("-", "_").lower()
        if norm.startswith("utf") or norm in ("ascii", "cp1252", "windows_1252", "latin_1", "iso8859_1"):
            return None
        return data.decode(enc, errors="replace"), enc
    except Exception:  # noqa: BLE001 - decoding must never raise
        return None
