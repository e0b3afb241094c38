"""Reading the project's text files (Turtle, TriG, source.txt, saved queries) so that every way
one can be wrong ends in a message naming the file, the place and what to do.

No rdflib here: saved queries are read at `newskg query run` start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from newskg.errors import InputError
from newskg.limits import describe, max_input_bytes

BOM = b"\xef\xbb\xbf"


def read_text(path: Path, label: str | None = None, *, keep_bom: bool = False) -> str:
    """The text of ``path``, decoded as UTF-8.

    A leading byte-order mark is dropped (editors on Windows add one; parsers then stumble
    on its first line) unless ``keep_bom``: source.txt keeps it, because anchors count code
    points from the file's first character. Raises InputError naming the file (``label``,
    else the path) when it cannot be read, is larger than NEWSKG_MAX_INPUT_BYTES, holds a
    NUL byte or is not UTF-8 (with the byte offset, line and column).
    """
    return decode(read_bytes(path, label), label or str(path), keep_bom=keep_bom)


def read_bytes(path: Path, label: str | None = None) -> bytes:
    """The bytes of ``path``, at most NEWSKG_MAX_INPUT_BYTES; InputError naming the file otherwise."""
    name = label or str(path)
    cap = max_input_bytes()
    try:
        with open(path, "rb") as handle:
            # Read what the file says it holds, plus one byte: `read(cap + 1)` allocates the
            # whole cap (16 MiB) for every file, which cost ~9 s over the 4,900 files of the
            # million-triple corpus, the build being multithreaded with a large heap. A file
            # longer than it said (growing, or a special file reporting 0) is read on to the cap.
            want = min(cap, os.fstat(handle.fileno()).st_size) + 1
            data = handle.read(want)
            if len(data) == want and want <= cap:
                data += handle.read(cap + 1 - want)
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a file; rename it (a folder may not end in "
                         f"{Path(path).suffix or 'a file suffix'})") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read: {err.strerror or err}; {_what_to_do(err)}") from None
    if len(data) > cap:
        raise InputError(f"{name}: larger than {describe(cap)}, the limit for one input file "
                         "(NEWSKG_MAX_INPUT_BYTES); split it, or raise the limit if it is meant to be this big")
    return data


def decode(data: bytes, name: str, *, keep_bom: bool = False) -> str:
    """``data`` as text; InputError naming ``name`` and the place of a NUL byte or of bytes
    that are not UTF-8."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{name}: a NUL byte at {_place(data, nul)}; a text file holds none "
                         "(the file is damaged or not text): remove it")
    if not keep_bom and data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = data[err.start:err.end].hex(" ").upper()
        raise InputError(f"{name}: not UTF-8: byte(s) 0x{bad} at {_place(data, err.start)}; "
                         "save the file as UTF-8") from None


def _place(data: bytes, offset: int) -> str:
    """``byte offset N (line L, column C)``, the column counted in characters."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return f"byte offset {offset} (line {line}, column {column})"


def _what_to_do(err: OSError) -> str:
    import errno

    if err.errno in (errno.EACCES, errno.EPERM):
        return "make it readable (chmod) or move it out of the project"
    if err.errno == errno.ELOOP:
        return "it is a symbolic link that points to itself: remove it"
    if err.errno == errno.ENOENT:
        return "it is a symbolic link to nothing, or was removed: fix or remove it"
    return "check the file"
