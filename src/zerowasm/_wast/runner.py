"""Running the commands of one converted ``.wast`` script against the runtime.

Theory of operation
-------------------
``wast2json`` turns a script into a list of commands (``module``, ``register``,
``action``, ``assert_return``, ``assert_trap``, ...; see WABT's ``wast2json`` docs and the
spec interpreter's README for the script format) and one ``.wasm`` file per module.
:class:`ScriptRunner` executes them in order against a fresh :class:`zerowasm.Runtime`,
through the public API only, the way an embedder would:

* ``module`` compiles and instantiates; the instance becomes the *current* one (and is
  remembered under its ``$name``). If that fails, the module is remembered as *broken*:
  every later command that uses it fails with the reason, instead of stopping the run.
* ``register`` makes an instance importable under a module name; every instantiation
  gets ``spectest`` (:mod:`.spectest`) and all registered instances as imports.
* assertions check the outcome: results by bits (:mod:`.values`), errors by class
  (``DecodeError``, ``ValidationError``, ``LinkError``, ``Trap``) and then by message. A
  right error class with a different message passes but is tallied as a *message
  mismatch*.

Every command counts once as passed, failed or skipped. *Skipped* is only for what the
runtime does not claim: modules in the text format (``module quote``), which a binary-only
runtime cannot load. An exception that is not a :class:`zerowasm.WasmError` is a zerowasm
bug: it fails the command with its traceback and the run goes on.
"""

from __future__ import annotations

import collections
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Counter, Dict, List, Mapping, Optional, Type, Union

from .values import (
    ExternRef,
    UnsupportedValue,
    describe_actual,
    describe_expected,
    match_result,
    normalize_results,
    parse_argument,
)

__all__ = ["Problem", "FileResult", "ScriptRunner", "run_script"]


@dataclass
class Problem:
    """A failed command, or a passed one whose error message differs from the script's."""

    line: int
    command: str
    message: str


@dataclass
class FileResult:
    """The outcome of one script: counts, failures, message mismatches and skip reasons."""

    path: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: List[Problem] = field(default_factory=list)
    mismatches: List[Problem] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=collections.Counter)
    seconds: float = 0.0

    def add_failure(self, line: int, command: str, message: str) -> None:
        self.failed += 1
        self.failures.append(Problem(line, command, message))

    def summary(self) -> str:
        return "%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped)


class _Fail(Exception):
    """The command failed; the message says what was expected and what happened."""


class _Skip(Exception):
    """The command is outside what the runtime claims; the message says why."""


class _Broken:
    """Stands for a module whose compilation or instantiation failed."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason


def _error_message(error: BaseException) -> str:
    message = getattr(error, "message", None)
    return message if isinstance(message, str) else str(error)


def _format_traceback(error: BaseException) -> str:
    """The traceback of a non-Wasm exception, without the runner's own frames."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb)).rstrip()


def _describe_error(error: BaseException) -> str:
    return "%s: %s" % (type(error).__name__, str(error).split("\n", 1)[0])


class ScriptRunner:
    """Runs one converted script (its ``.json``; the ``.wasm`` files lie beside it)."""

    def __init__(self, json_path: Union[str, Path], display_path: Optional[str] = None,
                 runtime_factory: Optional[Callable[[], Any]] = None,
                 api: Any = None) -> None:
        """``runtime_factory`` makes the runtime (default ``zerowasm.Runtime``); ``api`` is the
        module whose public names (errors, ``Function``, ``Global``, ...) are used, by default
        :mod:`zerowasm` itself: tests pass a stand-in to check the runner alone.
        """
        self.json_path = Path(json_path)
        self.result = FileResult(display_path or str(json_path))
        self._runtime_factory = runtime_factory
        self._runtime: Any = None
        self._spectest: Optional[Dict[str, Any]] = None
        self._current: Any = None
        self._named: Dict[str, Any] = {}
        self._registered: Dict[str, Any] = {}
        self._externs: Dict[int, ExternRef] = {}
        if api is None:
            import zerowasm as api
        self._zw = api

    # -- driver ----------------------------------------------------------------------------

    def run(self) -> FileResult:
        started = time.perf_counter()
        with open(self.json_path, encoding="utf-8") as handle:
            commands = json.load(handle)["commands"]
        for command in commands:
            self._run_command(command)
        self.result.seconds = time.perf_counter() - started
        return self.result

    def _run_command(self, command: Mapping[str, Any]) -> None:
        kind = command.get("type", "?")
        line = int(command.get("line", 0))
        handler = getattr(self, "_cmd_" + kind, None)
        result = self.result
        try:
            if handler is None:
                raise _Fail("unknown command type %r" % (kind,))
            handler(command)
        except _Skip as skip:
            result.skipped += 1
            result.skip_reasons[str(skip)] += 1
        except _Fail as fail:
            result.add_failure(line, kind, str(fail))
        except UnsupportedValue as unsupported:
            result.add_failure(line, kind, str(unsupported))
        except self._zw.WasmError as error:
            result.add_failure(line, kind, "unexpected " + _describe_error(error))
        except Exception as error:  # noqa: BLE001 - a zerowasm bug must not stop the run
            result.add_failure(line, kind, "internal error (not a WasmError): %s\n%s" % (
                _describe_error(error), _format_traceback(error)))
        else:
            result.passed += 1

    # -- modules ---------------------------------------------------------------------------

    def _read_module(self, command: Mapping[str, Any]) -> bytes:
        if command.get("module_type", "binary") != "binary":
            raise _Skip("text-format module (module quote): zerowasm loads binary modules")
        return (self.json_path.parent / command["filename"]).read_bytes()

    def _runtime_instance(self) -> Any:
        if self._runtime is None:
            factory = self._runtime_factory or self._zw.Runtime
            self._runtime = factory()
        return self._runtime

    def _imports(self) -> Dict[str, Any]:
        if self._spectest is None:
            from .spectest import make_spectest_module

            self._spectest = make_spectest_module(self._zw)
        imports: Dict[str, Any] = {"spectest": self._spectest}
        imports.update(self._registered)
        return imports

    def _compile(self, data: bytes) -> Any:
        return self._runtime_instance().compile(data)

    def _instantiate(self, module: Any) -> Any:
        return self._runtime_instance().instantiate(module, imports=self._imports())

    def _cmd_module(self, command: Mapping[str, Any]) -> None:
        name = command.get("name")
        line = int(command.get("line", 0))
        try:
            data = self._read_module(command)
        except _Skip as skip:
            self._remember(name, _Broken(line, str(skip)))
            raise
        try:
            instance = self._instantiate(self._compile(data))
        except Exception as error:  # noqa: BLE001 - a zerowasm bug must not stop the run
            self._remember(name, _Broken(line, _describe_error(error)))
            detail = ""
            if not isinstance(error, self._zw.WasmError):
                detail = "\ninternal error (not a WasmError):\n" + _format_traceback(error)
            raise _Fail("module failed to load: %s%s" % (_describe_error(error), detail)) from None
        self._remember(name, instance)

    def _remember(self, name: Optional[str], instance: Any) -> None:
        self._current = instance
        if name:
            self._named[name] = instance

    def _instance(self, name: Optional[str]) -> Any:
        if name:
            if name not in self._named:
                raise _Fail("no module named %s" % name)
            instance = self._named[name]
        else:
            instance = self._current
            if instance is None:
                raise _Fail("no module has been defined")
        if isinstance(instance, _Broken):
            raise _Fail("module at line %d did not load (%s)" % (instance.line, instance.reason))
        return instance

    def _cmd_register(self, command: Mapping[str, Any]) -> None:
        self._registered[command["as"]] = self._instance(command.get("name"))

    # -- actions ---------------------------------------------------------------------------

    def _perform(self, action: Mapping[str, Any]) -> Any:
        """Run an ``invoke`` or ``get`` action; WasmErrors propagate."""
        instance = self._instance(action.get("module"))
        name = action["field"]
        try:
            export = instance.exports[name]
        except KeyError:
            raise _Fail("no export named %r" % (name,)) from None
        if action["type"] == "get":
            return export.value
        if action["type"] != "invoke":
            raise _Fail("unknown action type %r" % (action["type"],))
        args = [parse_argument(arg, self._externs) for arg in action.get("args", ())]
        return export(*args)

    def _cmd_action(self, command: Mapping[str, Any]) -> None:
        try:
            self._perform(command["action"])
        except self._zw.WasmError as error:
            raise _Fail("action raised " + _describe_error(error)) from None

    def _cmd_assert_return(self, command: Mapping[str, Any]) -> None:
        action = command["action"]
        expected = command.get("expected", [])
        try:
            raw = self._perform(action)
        except self._zw.WasmError as error:
            raise _Fail("expected %s, got %s" % (_describe_values(expected),
                                                  _describe_error(error))) from None
        if action["type"] == "get":
            results, shape_problem = [raw], None
        else:
            results, shape_problem = normalize_results(raw, len(expected))
        if shape_problem is not None:
            raise _Fail(shape_problem)
        ok = all(match_result(want, got, self._externs) for want, got in zip(expected, results))
        if not ok:
            raise _Fail("expected %s, got (%s)" % (_describe_values(expected), ", ".join(
                describe_actual(got, want) for want, got in zip(expected, results))))

    def _expect_trap(self, command: Mapping[str, Any], run: Callable[[], Any],
                     exhaustion: bool = False) -> None:
        text = command.get("text", "")
        try:
            outcome = run()
        except self._zw.Trap as trap:
            if exhaustion and trap.kind != self._zw.TrapKind.CALL_STACK_EXHAUSTED:
                raise _Fail("expected call stack exhaustion, got trap %r" % trap.message) from None
            self._check_message(command, text, _error_message(trap))
            return
        except self._zw.WasmError as error:
            raise _Fail("expected trap %r, got %s" % (text, _describe_error(error))) from None
        raise _Fail("expected trap %r, got result %r" % (text, outcome))

    def _cmd_assert_trap(self, command: Mapping[str, Any]) -> None:
        if "action" not in command:  # older converters: a module that traps at start
            self._cmd_assert_uninstantiable(command)
            return
        self._expect_trap(command, lambda: self._perform(command["action"]))

    def _cmd_assert_exhaustion(self, command: Mapping[str, Any]) -> None:
        self._expect_trap(command, lambda: self._perform(command["action"]), exhaustion=True)

    def _check_message(self, command: Mapping[str, Any], expected: str, actual: str) -> None:
        if not actual.startswith(expected):
            self.result.mismatches.append(Problem(
                int(command.get("line", 0)), command.get("type", "?"),
                "expected message %r, got %r" % (expected, actual)))

    # -- module assertions -----------------------------------------------------------------

    def _expect_module_error(self, command: Mapping[str, Any],
                             error_class: Type[BaseException],
                             stage: str) -> None:
        """Compile (and for ``stage == "instantiate"`` instantiate) a module that must fail."""
        data = self._read_module(command)
        text = command.get("text", "")
        wanted = "%s %r" % (error_class.__name__, text)
        try:
            module = self._compile(data)
        except error_class as error:
            if stage == "compile":
                self._check_message(command, text, _error_message(error))
                return
            raise _Fail("expected %s at instantiation, compilation raised %s" % (
                wanted, _describe_error(error))) from None
        except self._zw.WasmError as error:
            raise _Fail("expected %s, got %s" % (wanted, _describe_error(error))) from None
        if stage == "compile":
            raise _Fail("expected %s, but the module compiled" % wanted)
        try:
            self._instantiate(module)
        except error_class as error:
            self._check_message(command, text, _error_message(error))
            return
        except self._zw.WasmError as error:
            raise _Fail("expected %s, got %s" % (wanted, _describe_error(error))) from None
        raise _Fail("expected %s, but the module instantiated" % wanted)

    def _cmd_assert_malformed(self, command: Mapping[str, Any]) -> None:
        self._expect_module_error(command, self._zw.DecodeError, "compile")

    def _cmd_assert_invalid(self, command: Mapping[str, Any]) -> None:
        self._expect_module_error(command, self._zw.ValidationError, "compile")

    def _cmd_assert_unlinkable(self, command: Mapping[str, Any]) -> None:
        self._expect_module_error(command, self._zw.LinkError, "instantiate")

    def _cmd_assert_uninstantiable(self, command: Mapping[str, Any]) -> None:
        self._expect_module_error(command, self._zw.Trap, "instantiate")


def _describe_values(values: List[Mapping[str, Any]]) -> str:
    return "(%s)" % ", ".join(describe_expected(value) for value in values)


def run_script(json_path: Union[str, Path], display_path: Optional[str] = None,
               runtime_factory: Optional[Callable[[], Any]] = None,
               api: Any = None) -> FileResult:
    """Run one converted script and return its :class:`FileResult`."""
    return ScriptRunner(json_path, display_path, runtime_factory, api).run()
