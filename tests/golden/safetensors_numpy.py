"""A small safetensors reader and writer on numpy, since Debian packages no safetensors library.

The format: an 8-byte little-endian header length N, N bytes of JSON mapping each name to its
dtype, shape and [begin, end) byte range in the buffer that follows (plus optional string
metadata under "__metadata__"), then the buffer of little-endian row-major values.
"""
import json
import struct

import numpy as np

DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8"),
          "BOOL": np.dtype("?")}


def save(path, arrays, metadata=None):
    """Writes a dict of name -> numpy array, in its order."""
    header = {"__metadata__": metadata} if metadata else {}
    chunks = []
    end = 0
    for name, array in arrays.items():
        dtype = next(key for key, value in DTYPES.items() if value == array.dtype)
        chunk = np.ascontiguousarray(array, dtype=DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [end, end + len(chunk)]}
        end += len(chunk)
        chunks.append(chunk)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def load(path):
    """Returns (dict of name -> numpy array, metadata dict)."""
    with open(path, "rb") as file:
        data = file.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    buffer = data[8 + length:]
    arrays = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        arrays[name] = np.frombuffer(buffer[begin:end], dtype=dtype).reshape(info["shape"]).copy()
    return arrays, metadata
