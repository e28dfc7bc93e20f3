"""Hand-made ZIP files for hostile-input tests: members that unpack to far more than they weigh,
and headers that lie about sizes. (Python's zipfile would compress every member itself; here one
compressed blob is reused for many members, so a "40 GiB" ZIP takes a second to make.)"""

import struct
import zlib


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """Raw deflate data of `size` zero bytes, and their CRC-32."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk, crc, parts, left = bytes(1024 * 1024), 0, [], size
    while left:
        piece = chunk[: min(left, len(chunk))]
        parts.append(compressor.compress(piece))
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    parts.append(compressor.flush())
    return b"".join(parts), crc


def write_zip(path, members: list[tuple[str, bytes, int, int, int]]) -> None:
    """members: (name, raw deflate data, crc, uncompressed size to declare, method: 8 deflate / 0 stored)."""
    out, central, offset = bytearray(), bytearray(), 0
    for name, data, crc, size, method in members:
        encoded = name.encode()
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += local + encoded + data
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0, offset,
        ) + encoded  # fmt: skip
        offset = len(out)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
