"""Work in a thread, its outcome taken where it is awaited.

The build and the loader overlap work that runs without the GIL (pyoxigraph's queries and bulk
loads, a store answering over the network) with work in Python. What the thread raises is
raised again, in the thread that asks for the result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``function(*args)`` started in a daemon thread named ``newskg-<name>``."""

    def __init__(self, name: str, function: Callable[..., T], *args) -> None:
        self._outcome: tuple[bool, T | BaseException] | None = None

        def run() -> None:
            try:
                self._outcome = (True, function(*args))
            except BaseException as err:  # handed to whoever asks for the result
                self._outcome = (False, err)

        self._thread = threading.Thread(target=run, name=f"newskg-{name}", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Wait for the work to end, however it ends."""
        self._thread.join()

    def result(self) -> T:
        """Wait for the work; return what it returned, or raise what it raised."""
        self._thread.join()
        assert self._outcome is not None
        ok, value = self._outcome
        if not ok:
            assert isinstance(value, BaseException)
            raise value
        return value  # type: ignore[return-value]


class InTurn:
    """Calls of ``function``, each in a thread of its own, one after the other: a call starts
    once the one before it has ended (pyoxigraph's load of one batch while the caller makes the
    next, the batches added in order). Only work that releases the GIL gains: pyoxigraph's load
    and bulk_load of text do; its bulk_extend holds the GIL for as long as it runs."""

    def __init__(self, name: str, function: Callable[..., object]) -> None:
        self._name = name
        self._function = function
        self._current: Background | None = None

    def start(self, *args) -> None:
        """Wait for the call under way (raising what it raised), then start ``function(*args)``."""
        self.wait()
        self._current = Background(self._name, self._function, *args)

    def wait(self) -> None:
        """Wait for the call under way, if there is one (raising what it raised)."""
        current, self._current = self._current, None
        if current is not None:
            current.result()
