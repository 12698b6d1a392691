"""Host functions from Python callables, with signatures read from type hints.

A host function needs its Wasm signature. Give it explicitly
(``Function(FunctionType([I32], []), fn)``), let the importing module's declaration
supply it (pass a plain callable in ``imports``), or annotate the callable and use
:func:`host_function`::

    @zerowasm.host_function
    def log(ptr: zerowasm.I32, length: zerowasm.I32) -> None: ...

Annotations may be :class:`ValType` members, their text names (``"i64"``), ``int``
(i32), ``float`` (f64) or ``None``/no annotation for "no result"; a tuple annotation
gives several results.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any, Callable, Optional, Sequence, Tuple, Union

from ._store.function import Function
from ._types import FunctionType, ValType

__all__ = ["host_function", "function_type_from_hints"]

_BY_NAME = {str(v): v for v in ValType}


def _value_type(annotation: Any, where: str, scope: Optional[dict] = None) -> ValType:
    if isinstance(annotation, str):
        annotation = annotation.strip().strip("'\"")
        if annotation not in _BY_NAME and annotation not in ("int", "float") and scope is not None:
            try:
                annotation = eval(annotation, scope)  # noqa: S307 - the function's own annotation
            except Exception:  # noqa: BLE001
                pass
    if isinstance(annotation, ValType):
        return annotation
    if isinstance(annotation, str) and annotation in _BY_NAME:
        return _BY_NAME[annotation]
    if annotation is int or annotation == "int":
        return ValType.I32
    if annotation is float or annotation == "float":
        return ValType.F64
    raise TypeError("cannot map the annotation %r of %s to a Wasm value type; use "
                    "zerowasm.I32/I64/F32/F64/FUNCREF/EXTERNREF" % (annotation, where))


def function_type_from_hints(fn: Callable[..., Any], skip_first: bool = False) -> FunctionType:
    """Read ``fn``'s Wasm signature from its annotations."""
    signature = inspect.signature(fn)
    parameters = list(signature.parameters.values())
    if skip_first:
        parameters = parameters[1:]
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable string annotations: use them raw
        hints = {}
    scope = getattr(fn, "__globals__", None)
    params = []
    for p in parameters:
        annotation = hints.get(p.name, p.annotation)
        if annotation is inspect.Parameter.empty:
            raise TypeError("parameter %r of %s has no type annotation" % (p.name, fn.__name__))
        params.append(_value_type(annotation, "parameter %r" % p.name, scope))
    ret = signature.return_annotation
    ret = hints.get("return", ret)
    results: Tuple[ValType, ...]
    if isinstance(ret, str) and ret.strip("'\" ") not in ("None",):
        ret = ret.strip("'\" ")
        if ret not in _BY_NAME and scope is not None:
            try:
                ret = eval(ret, scope)  # noqa: S307 - the function's own annotation
            except Exception:  # noqa: BLE001
                pass
    if ret is inspect.Signature.empty or ret is None or ret is type(None) or ret == "None":
        results = ()
    elif isinstance(ret, tuple):
        results = tuple(_value_type(r, "the result") for r in ret)
    elif getattr(ret, "__origin__", None) in (tuple, Tuple):
        results = tuple(_value_type(r, "the result") for r in ret.__args__)
    else:
        results = (_value_type(ret, "the result", scope),)
    return FunctionType(tuple(params), results)


def host_function(fn: Optional[Callable[..., Any]] = None, *,
                  params: Optional[Sequence[ValType]] = None,
                  results: Optional[Sequence[ValType]] = None,
                  with_caller: bool = False
                  ) -> Union[Function, Callable[[Callable[..., Any]], Function]]:
    """Make a :class:`Function` from a callable (usable as a decorator).

    With ``with_caller=True`` the callable's first parameter receives the calling
    :class:`~zerowasm.Instance` (its ``memory``, ``exports``), like wazero's ``api.Module``.
    """
    def make(f: Callable[..., Any]) -> Function:
        if params is not None or results is not None:
            function_type = FunctionType(tuple(params or ()), tuple(results or ()))
        else:
            function_type = function_type_from_hints(f, skip_first=with_caller)
        return Function(function_type, f, with_caller=with_caller)
    if fn is not None:
        return make(fn)
    return make
