"""Typed extension interfaces: a Python class declares what an extension implements,
a Wasm guest implements it, and the host calls typed methods.

    @dataclasses.dataclass
    class Rule:
        kind: str
        name: str
        srcs: List[str]

    class Language:
        def name(self) -> str: ...
        def claims(self, path: str) -> bool: ...
        def rules(self, package: str, files: List[str]) -> List[Rule]: ...
        @optional
        def version(self) -> str: ...

    lang = load_interface(Language, "go_ext.wasm", wasi=True)
    lang.rules("app", ["main.go"])      # -> [Rule(kind='go_binary', ...)]

Wire format (the same Extism ABI, so any PDK can implement an interface):

* each method ``m`` is the plugin export ``m`` (or the name given with
  :func:`export_name`);
* the input is a JSON object of the method's parameters by name (``{}`` without
  parameters); the output is the JSON encoding of the result (``null`` for ``None``);
* values: ``str``, ``int``, ``float``, ``bool``, ``None``, ``bytes`` (base64 text),
  ``List[T]``/``Tuple[T, ...]``, ``Dict[str, T]``, ``Optional[T]``, dataclasses (JSON
  objects by field name; a field with a default may be missing or ``null`` -- Go encodes
  a nil slice as ``null`` -- and takes its default; unknown fields are ignored) and
  enums (by value);
* a guest failure (``error_set``, non-zero status, trap, timeout) raises the plugin's
  :class:`Error`; a result that does not match the declared type raises
  :class:`InterfaceError` saying where (``rules()[2].srcs[0]: expected str, got int``).

Every method not marked :func:`optional` must be exported: :func:`load_interface`
checks that when it loads the plugin, not on the first call.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import functools
import inspect
import json
import typing
from typing import Any, Callable, Dict, List, Tuple, Type, TypeVar, Union

from ._errors import Error, LoadError
from ._plugin import Plugin

__all__ = ["load_interface", "interface_methods", "optional", "export_name", "InterfaceError",
           "encode_value", "decode_value", "Extension"]

T = TypeVar("T")
_OPTIONAL = "__zerowasm_optional__"
_EXPORT = "__zerowasm_export__"


class InterfaceError(Error):
    """A plugin does not implement an interface, or returned a value of the wrong type."""


def optional(method: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an interface method the plugin may leave out. Calling a missing optional
    method runs the interface's own body (its default implementation)."""
    setattr(method, _OPTIONAL, True)
    return method


def export_name(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Call the plugin export ``name`` for this method (default: the method's name)."""
    def mark(method: Callable[..., Any]) -> Callable[..., Any]:
        setattr(method, _EXPORT, name)
        return method
    return mark


class _Method:
    __slots__ = ("name", "export", "signature", "hints", "result", "optional", "default")

    def __init__(self, name: str, function: Callable[..., Any], owner: type) -> None:
        self.name = name
        self.export = getattr(function, _EXPORT, name)
        self.optional = bool(getattr(function, _OPTIONAL, False))
        self.default = function
        signature = inspect.signature(function)
        parameters = list(signature.parameters.values())[1:]  # drop self
        for p in parameters:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError("%s.%s: *args/**kwargs cannot cross the boundary"
                                % (owner.__name__, name))
        self.signature = signature.replace(parameters=parameters)
        try:
            hints = typing.get_type_hints(function)
        except Exception as error:  # noqa: BLE001
            raise TypeError("%s.%s: cannot resolve the type hints: %s"
                            % (owner.__name__, name, error)) from error
        self.hints = {p.name: hints.get(p.name, Any) for p in parameters}
        self.result = hints.get("return", Any)


def interface_methods(interface: type) -> Dict[str, _Method]:
    """The methods an interface declares (public functions defined on the class or its
    bases, ``object`` and ``typing.Protocol`` machinery aside)."""
    methods: Dict[str, _Method] = {}
    for klass in reversed(interface.__mro__):
        if klass is object or klass.__module__ == "typing" or klass.__name__ == "Generic":
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            methods[name] = _Method(name, value, interface)
    return methods


# -- values <-> JSON ----------------------------------------------------------------------
def encode_value(value: Any, hint: Any = Any, where: str = "value") -> Any:
    """``value`` as a JSON-ready object, following the type ``hint``."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return encode_value(value.value, Any, where)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = typing.get_type_hints(type(value))
        return {f.name: encode_value(getattr(value, f.name), hints.get(f.name, Any),
                                     "%s.%s" % (where, f.name))
                for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        args = typing.get_args(hint)
        item = args[1] if len(args) == 2 else Any
        return {str(k): encode_value(v, item, "%s[%r]" % (where, k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        args = typing.get_args(hint)
        item = args[0] if args else Any
        return [encode_value(v, item, "%s[%d]" % (where, i)) for i, v in enumerate(value)]
    if isinstance(value, (str, int, float, bool)):
        return value
    raise InterfaceError("%s: cannot send a %s to a plugin" % (where, type(value).__name__))


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def decode_value(data: Any, hint: Any, where: str = "value") -> Any:
    """Check and convert the JSON value ``data`` to the type ``hint``."""
    if hint is Any or hint is object:
        return data
    if hint is None or hint is type(None):
        if data is not None:
            raise InterfaceError("%s: expected null, got %s" % (where, _json_kind(data)))
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Union:
        if data is None and type(None) in args:
            return None
        errors = []
        for option in args:
            if option is type(None):
                continue
            try:
                return decode_value(data, option, where)
            except InterfaceError as error:
                errors.append(str(error))
        raise InterfaceError(errors[0] if len(errors) == 1 else
                             "%s: matches none of %s" % (where, _type_name(hint)))
    if origin in (list, List, tuple, Tuple, set, frozenset):
        if not isinstance(data, list):
            raise InterfaceError("%s: expected a list, got %s" % (where, _json_kind(data)))
        if origin in (tuple, Tuple) and args and args[-1] is not Ellipsis:
            if len(args) != len(data):
                raise InterfaceError("%s: expected %d items, got %d"
                                     % (where, len(args), len(data)))
            return tuple(decode_value(v, t, "%s[%d]" % (where, i))
                         for i, (v, t) in enumerate(zip(data, args)))
        item = args[0] if args else Any
        items = [decode_value(v, item, "%s[%d]" % (where, i)) for i, v in enumerate(data)]
        if origin in (tuple, Tuple):
            return tuple(items)
        if origin in (set, frozenset):
            return origin(items)
        return items
    if origin in (dict, Dict):
        if not isinstance(data, dict):
            raise InterfaceError("%s: expected an object, got %s" % (where, _json_kind(data)))
        item = args[1] if len(args) == 2 else Any
        return {k: decode_value(v, item, "%s[%r]" % (where, k)) for k, v in data.items()}
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return _decode_dataclass(data, hint, where)
        if issubclass(hint, enum.Enum):
            try:
                return hint(data)
            except ValueError:
                raise InterfaceError("%s: %r is not a %s" % (where, data, hint.__name__)) from None
        if hint is bytes:
            if not isinstance(data, str):
                raise InterfaceError("%s: expected base64 text, got %s" % (where, _json_kind(data)))
            try:
                return base64.b64decode(data, validate=True)
            except ValueError:
                raise InterfaceError("%s: not valid base64" % where) from None
        if hint is bool:
            if not isinstance(data, bool):
                raise InterfaceError("%s: expected bool, got %s" % (where, _json_kind(data)))
            return data
        if hint is int:
            if isinstance(data, bool) or not isinstance(data, int):
                raise InterfaceError("%s: expected int, got %s" % (where, _json_kind(data)))
            return data
        if hint is float:
            if isinstance(data, bool) or not isinstance(data, (int, float)):
                raise InterfaceError("%s: expected float, got %s" % (where, _json_kind(data)))
            return float(data)
        if hint is str:
            if not isinstance(data, str):
                raise InterfaceError("%s: expected str, got %s" % (where, _json_kind(data)))
            return data
        if hint in (list, dict):
            if not isinstance(data, hint):
                raise InterfaceError("%s: expected %s, got %s"
                                     % (where, hint.__name__, _json_kind(data)))
            return data
    raise InterfaceError("%s: the type %s cannot cross the boundary" % (where, _type_name(hint)))


def _decode_dataclass(data: Any, cls: type, where: str) -> Any:
    if not isinstance(data, dict):
        raise InterfaceError("%s: expected an object (%s), got %s"
                             % (where, cls.__name__, _json_kind(data)))
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        has_default = field.default is not dataclasses.MISSING or \
            field.default_factory is not dataclasses.MISSING
        if field.name in data and not (data[field.name] is None and has_default):
            values[field.name] = decode_value(data[field.name], hints.get(field.name, Any),
                                              "%s.%s" % (where, field.name))
        elif not has_default:
            raise InterfaceError("%s: missing field %r of %s" % (where, field.name, cls.__name__))
    return cls(**values)


def _json_kind(data: Any) -> str:
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "bool"
    if isinstance(data, int):
        return "int"
    if isinstance(data, float):
        return "float"
    if isinstance(data, str):
        return "str"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, dict):
        return "an object"
    return type(data).__name__


# -- loading ------------------------------------------------------------------------------
class Extension:
    """Mixin of every loaded interface object: ``plugin``, ``close()``, context manager."""

    plugin: Plugin

    def close(self) -> None:
        self.plugin.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _make_method(method: _Method, exported: bool) -> Callable[..., Any]:
    if not exported:
        default = method.default

        def missing(self: Any, *args: Any, **kwargs: Any) -> Any:
            return default(self, *args, **kwargs)
        return functools.wraps(method.default)(missing)
    signature = method.signature
    hints = method.hints
    result = method.result
    export = method.export
    name = method.name

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError("%s(): %s" % (name, error)) from None
        bound.apply_defaults()
        payload = {key: encode_value(value, hints.get(key, Any), "%s(%s)" % (name, key))
                   for key, value in bound.arguments.items()}
        output = self.plugin.call(export, json.dumps(payload, separators=(",", ":")))
        if not output:
            data = None
        else:
            try:
                data = json.loads(output)
            except ValueError as error:
                raise InterfaceError("%s(): the plugin's output is not JSON: %s (%r)"
                                     % (name, error, bytes(output[:80]))) from None
        return decode_value(data, result, "%s()" % name)
    return functools.wraps(method.default)(call)


def load_interface(interface: Type[T], plugin: Any, **plugin_options: Any) -> T:
    """Load ``plugin`` (anything :class:`Plugin` accepts -- a manifest, bytes, a path, a
    :class:`CompiledPlugin` -- or a :class:`Plugin`) as an implementation of ``interface``.

    Returns an instance of a subclass of ``interface`` (and of :class:`Extension`) whose
    methods call the plugin. Raises :class:`InterfaceError` at once when a required
    method is not exported, or is exported with the wrong Wasm type.
    """
    if isinstance(plugin, Plugin):
        if plugin_options:
            raise TypeError("plugin options cannot be given with a Plugin object")
        instance = plugin
    else:
        plugin_options.setdefault("functions", [])
        instance = Plugin(plugin, **plugin_options)
    compiled = instance.compiled_plugin
    assert compiled is not None
    exports = compiled.exports
    methods = interface_methods(interface)
    if not methods:
        raise TypeError("%s declares no methods" % interface.__name__)
    missing, mistyped = [], []
    for method in methods.values():
        ftype = exports.get(method.export)
        if ftype is None:
            if not method.optional:
                missing.append(method.export)
        elif ftype.params or len(ftype.results) > 1:
            mistyped.append("%s %s" % (method.export, ftype))
    if missing or mistyped:
        origin = compiled.manifest.wasm[compiled.manifest.main_index()].origin
        parts = []
        if missing:
            parts.append("missing export%s %s" % ("s" if len(missing) > 1 else "",
                                                  ", ".join(sorted(missing))))
        if mistyped:
            parts.append("exports that are not plugin functions (() -> i32): %s"
                         % ", ".join(mistyped))
        if instance is not plugin:
            instance.close()
        raise InterfaceError("%s does not implement %s: %s"
                             % (origin, interface.__name__, "; ".join(parts)))
    namespace: Dict[str, Any] = {}
    for method in methods.values():
        namespace[method.name] = _make_method(method, method.export in exports)
    namespace["__repr__"] = lambda self: "<%s extension %s>" % (interface.__name__, self.plugin)
    bases: Tuple[type, ...] = (interface, Extension)
    cls = type(interface.__name__ + "Extension", bases, namespace)
    try:
        obj: Any = object.__new__(cls)
    except TypeError as error:  # pragma: no cover - e.g. an abstract base without our methods
        raise LoadError(str(error)) from error
    obj.plugin = instance
    return typing.cast(T, obj)

