"""Reading an input file: the whole file up to NEWSKG_MAX_INPUT_BYTES, refused past it, however
the file reports its size."""

from __future__ import annotations

import os
import threading

import pytest

from newskg.errors import InputError
from newskg.textfile import read_bytes


@pytest.fixture()
def cap_100(monkeypatch):
    monkeypatch.setenv("NEWSKG_MAX_INPUT_BYTES", "100")


@pytest.mark.parametrize("size", [0, 1, 57, 99, 100])
def test_a_file_up_to_the_cap_is_read_whole(tmp_path, cap_100, size):
    data = bytes(range(256))[:size] if size < 256 else b""
    path = tmp_path / "f.ttl"
    path.write_bytes(data)
    assert read_bytes(path) == data


@pytest.mark.parametrize("size", [101, 5000])
def test_a_file_past_the_cap_is_refused_naming_it(tmp_path, cap_100, size):
    path = tmp_path / "big.ttl"
    path.write_bytes(b"x" * size)
    with pytest.raises(InputError, match=r"big\.ttl: larger than 100 bytes"):
        read_bytes(path)


def _fifo_writing(tmp_path, data: bytes):
    # A named pipe reports a size of 0: what it holds is only known by reading it.
    path = tmp_path / "pipe.ttl"
    os.mkfifo(path)

    def write():
        with open(path, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    return path, writer


def test_a_file_longer_than_its_reported_size_is_read_whole(tmp_path, cap_100):
    path, writer = _fifo_writing(tmp_path, b"y" * 80)
    assert read_bytes(path) == b"y" * 80
    writer.join()


def test_a_file_longer_than_its_reported_size_is_still_refused_past_the_cap(tmp_path, cap_100):
    path, writer = _fifo_writing(tmp_path, b"y" * 300)
    with pytest.raises(InputError, match="larger than 100 bytes"):
        read_bytes(path)
    writer.join()
