"""Where guest log messages go: ``set_log_file`` / ``set_log_custom`` (process-wide).

As in the Extism SDKs, logging is off until the host turns it on; the level decides which
of the guest's ``log_trace`` ... ``log_error`` calls are kept, and ``get_log_level``
tells the guest the level (so a PDK can skip formatting messages nobody will see):
0 trace, 1 debug, 2 info, 3 warn, 4 error, ``0x7FFFFFFF`` when logging is off.
Without a level argument the level is ``error``, as in libextism.

A zerowasm extension: :func:`set_log_python` sends the messages to the standard
``logging`` module (logger ``zerowasm.plugin``).
"""

from __future__ import annotations

import datetime
import logging
import sys
import threading
from typing import Callable, List, Optional

__all__ = ["set_log_file", "set_log_custom", "set_log_python", "CustomLogger", "LEVELS",
           "LOG_OFF", "log_level", "emit"]

LEVELS = {"trace": 0, "debug": 1, "info": 2, "warn": 3, "error": 4}
LEVEL_NAMES = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]
LOG_OFF = 0x7FFFFFFF
_PY_LEVELS = [5, logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR]

_lock = threading.Lock()
_level = LOG_OFF
_sink: Optional[Callable[[int, str, str], None]] = None


def _parse_level(level: Optional[str]) -> int:
    if level is None:
        return LEVELS["error"]
    text = str(level).strip().lower()
    if text.startswith("extism="):
        text = text[len("extism="):]
    if text == "warning":
        text = "warn"
    if text in ("off", "none"):
        return LOG_OFF
    try:
        return LEVELS[text]
    except KeyError:
        raise ValueError("log level must be one of trace, debug, info, warn, error, off; "
                         "got %r" % level) from None


def log_level() -> int:
    """The current level as the guest's ``get_log_level`` reports it."""
    return _level


def _format(level: int, plugin_id: str, message: str) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return "%s %5s extism::pdk: %s plugin=%s" % (now, LEVEL_NAMES[level], message, plugin_id)


def emit(level: int, message: str, plugin_id: str = "") -> None:
    """Log ``message`` at ``level`` (0..4) if the level is enabled."""
    sink = _sink
    if sink is not None and level >= _level:
        sink(level, message, plugin_id)


def _install(level: int, sink: Optional[Callable[[int, str, str], None]]) -> None:
    global _level, _sink
    with _lock:
        _level = level
        _sink = sink


def set_log_file(file: str, level: Optional[str] = None) -> None:
    """Append guest log lines to ``file`` (``"stdout"``, ``"stderr"`` or ``"-"`` for the
    process's streams) from ``level`` up (default ``error``)."""
    numeric = _parse_level(level)
    lock = threading.Lock()

    def write(lvl: int, message: str, plugin_id: str) -> None:
        line = _format(lvl, plugin_id, message) + "\n"
        with lock:
            if file in ("stdout",):
                sys.stdout.write(line)
            elif file in ("stderr", "-"):
                sys.stderr.write(line)
            else:
                with open(file, "a", encoding="utf-8") as f:
                    f.write(line)
    _install(numeric, write)


class CustomLogger:
    """Buffers log lines until :meth:`drain` hands each one to the callback."""

    def __init__(self, f: Callable[[str], None]) -> None:
        self.callback: Optional[Callable[[str], None]] = None
        self._lines: List[str] = []
        self._lock = threading.Lock()
        self.set_callback(f)

    def set_callback(self, f: Callable[[str], None]) -> None:
        self.callback = f

    def _append(self, level: int, message: str, plugin_id: str) -> None:
        with self._lock:
            self._lines.append(_format(level, plugin_id, message))

    def drain(self) -> None:
        """Call the callback with every buffered line, oldest first, and forget them."""
        with self._lock:
            lines, self._lines = self._lines, []
        if self.callback is not None:
            for line in lines:
                self.callback(line)

    def __del__(self) -> None:
        try:
            self.drain()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass


def set_log_custom(f: Callable[[str], None], level: Optional[str] = None) -> CustomLogger:
    """Buffer guest log lines from ``level`` up (default ``error``); returns a
    :class:`CustomLogger` whose ``drain()`` passes each line to ``f``."""
    logger = CustomLogger(f)
    _install(_parse_level(level), logger._append)
    return logger


def set_log_python(level: Optional[str] = "info",
                   logger: Optional[logging.Logger] = None) -> None:
    """zerowasm extension: send guest log messages to ``logging`` (logger
    ``zerowasm.plugin`` unless given), from ``level`` up; ``level="off"`` stops logging."""
    target = logger or logging.getLogger("zerowasm.plugin")

    def log(lvl: int, message: str, plugin_id: str) -> None:
        target.log(_PY_LEVELS[lvl], "%s", message, extra={"plugin_id": plugin_id})
    numeric = _parse_level(level)
    _install(numeric, None if numeric == LOG_OFF else log)
