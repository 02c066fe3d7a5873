"""Processes the tool starts end when the run that started them ends.

A run starts processes: Sphinx's reading workers, one build process per
language, the PDF workers, the preview server. When the run is killed
(``kill -9``, a closed terminal, a CI timeout) they must not stay behind,
blocked, holding memory. Two mechanisms:

- :func:`exit_with_parent`, called at the start of every child: on Linux
  the kernel sends the child SIGKILL when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``); a child whose parent is already gone exits
  at once. Children started with ``fork`` (``multiprocessing``'s default on
  Linux, Sphinx's parallel reading) get it without asking, once
  :func:`watch_forks` ran in the parent; others (``spawn``, ``forkserver``)
  call it first thing.
- :func:`stop_on_sigterm`: SIGTERM stops a run as Ctrl-C does, so that its
  ``finally`` blocks stop the builds and release the locks.
"""

from __future__ import annotations

import os
import signal

from . import clib

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def exit_with_parent(expected_parent: int | None = None) -> bool:
    """Make this process die when its parent does; True where the system allows it (Linux).

    ``expected_parent``: the pid the parent had; when it is already gone
    (this process was adopted by another), exit now.
    """
    armed = False
    libc = clib.libc()
    if libc is not None:
        try:
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except AttributeError:
            armed = False
    parent = os.getppid()
    if (expected_parent is not None and parent != expected_parent) or parent == 1:
        os._exit(1)  # the parent died before the signal was armed
    return armed


def _after_fork_in_child() -> None:
    exit_with_parent()
    try:
        if signal.getsignal(signal.SIGTERM) is _interrupt:  # the parent's way to stop; a child just ends
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:  # forked from a thread other than the main one: nothing was inherited
        pass


_watching: list[bool] = []  # whether watch_forks ran in this process (hooks cannot be removed)


def watch_forks() -> None:
    """Every process forked from now on by this one dies with it (see :func:`exit_with_parent`)."""
    if not _watching and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _watching.append(True)


def stop_on_sigterm() -> None:
    """SIGTERM interrupts the run as Ctrl-C does (its clean-up runs, children are stopped)."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(_signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise KeyboardInterrupt
