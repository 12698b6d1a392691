"""The Extism manifest: which Wasm modules make a plugin, and what they may do.

Reference: https://extism.org/docs/concepts/manifest (schema of extism-manifest 1.x)::

    {
      "wasm": [{"path": "plugin.wasm"} | {"data": b"..." or "<base64>"} | {"url": "https://..."},
               ... each optionally with "name" and "hash" (sha256, hex)],
      "memory": {"max_pages": 16, "max_http_response_bytes": 1048576, "max_var_bytes": 1024},
      "config": {"key": "value"},
      "allowed_hosts": ["*.example.com"],
      "allowed_paths": {"/host/dir": "/guest/dir", "ro:/host/other": "/other"},
      "timeout_ms": 1000
    }

A plugin may also be given as the bytes of one module, a path to a ``.wasm`` file or to
a JSON manifest, or a manifest as a JSON string. Module names: with several modules,
the one named ``main`` (a module without a name is named ``main``; if none is, the last
one) is the plugin; the others are linked under their names, so the plugin can import
their exports (a module named ``extism:host/user`` can stand in for host functions).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from ._errors import ManifestError

__all__ = ["Manifest", "WasmSource", "load_manifest", "WASM_MAGIC"]

WASM_MAGIC = b"\0asm"
_TOP_KEYS = {"wasm", "memory", "config", "allowed_hosts", "allowed_paths", "timeout_ms"}
_MEMORY_KEYS = {"max_pages", "max_http_response_bytes", "max_var_bytes"}
_WASM_KEYS = {"data", "path", "url", "name", "hash", "headers", "method"}


class WasmSource:
    """One module of a manifest: its bytes, its name and where it came from."""

    __slots__ = ("data", "name", "origin")

    def __init__(self, data: bytes, name: Optional[str], origin: str) -> None:
        self.data = data
        self.name = name
        self.origin = origin

    def __repr__(self) -> str:
        return "WasmSource(%s, name=%r, %d bytes)" % (self.origin, self.name, len(self.data))


class Manifest:
    """A parsed manifest. Build one with :func:`load_manifest`."""

    def __init__(self, wasm: List[WasmSource], *, config: Optional[Mapping[str, str]] = None,
                 allowed_hosts: Optional[List[str]] = None,
                 allowed_paths: Optional[Mapping[str, str]] = None,
                 timeout_ms: Optional[int] = None, max_pages: Optional[int] = None,
                 max_http_response_bytes: Optional[int] = None,
                 max_var_bytes: Optional[int] = None) -> None:
        self.wasm = wasm
        self.config: Dict[str, str] = dict(config or {})
        self.allowed_hosts = allowed_hosts
        self.allowed_paths: Dict[str, str] = dict(allowed_paths or {})
        self.timeout_ms = timeout_ms
        self.max_pages = max_pages
        self.max_http_response_bytes = max_http_response_bytes
        self.max_var_bytes = max_var_bytes

    def main_index(self) -> int:
        """Index of the callable module: the one named ``main``, else the last."""
        for i, source in enumerate(self.wasm):
            if (source.name or "main") == "main":
                return i
        return len(self.wasm) - 1

    def preopens(self) -> List[Tuple[str, str, bool]]:
        """``allowed_paths`` as ``(host_dir, guest_dir, readonly)``."""
        result = []
        for host, guest in self.allowed_paths.items():
            readonly = host.startswith("ro:")
            if readonly:
                host = host[3:]
            result.append((host, guest, readonly))
        return result

    def __repr__(self) -> str:
        return "Manifest(%r)" % (self.wasm,)


def _fetch(url: str, headers: Mapping[str, str], method: str) -> bytes:
    import urllib.error
    import urllib.request
    request = urllib.request.Request(url, headers=dict(headers), method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return bytes(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ManifestError("cannot download %s: %s" % (url, error)) from error


def _source(entry: Any, index: int) -> WasmSource:
    if not isinstance(entry, Mapping):
        raise ManifestError("manifest: wasm[%d] must be an object with data, path or url"
                            % index)
    unknown = set(entry) - _WASM_KEYS
    if unknown:
        raise ManifestError("manifest: wasm[%d]: unknown field(s) %s"
                            % (index, ", ".join(sorted(unknown))))
    name = entry.get("name")
    if "data" in entry:
        data = entry["data"]
        if isinstance(data, str):
            try:
                data = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                data = data.encode("utf-8")
        elif isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        elif not isinstance(data, bytes):
            raise ManifestError("manifest: wasm[%d].data must be bytes or base64 text" % index)
        origin = "data"
    elif "path" in entry:
        path = os.fspath(entry["path"])
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as error:
            raise ManifestError("manifest: cannot read wasm[%d] %r: %s"
                                % (index, path, error.strerror or error)) from error
        origin = path
    elif "url" in entry:
        url = str(entry["url"])
        data = _fetch(url, entry.get("headers") or {}, str(entry.get("method") or "GET"))
        origin = url
    else:
        raise ManifestError("manifest: wasm[%d] needs one of data, path or url" % index)
    expected = entry.get("hash")
    if expected:
        actual = hashlib.sha256(data).hexdigest()
        if actual != str(expected).lower():
            raise ManifestError("hash mismatch for wasm[%d] (%s): expected %s, got %s"
                                % (index, origin, expected, actual))
    return WasmSource(data, name, origin)


def _optional_int(value: Any, where: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ManifestError("manifest: %s must be a non-negative integer, got %r" % (where, value))
    return value


def _from_mapping(raw: Mapping[str, Any]) -> Manifest:
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ManifestError("manifest: unknown field(s) %s" % ", ".join(sorted(unknown)))
    wasm = raw.get("wasm")
    if not isinstance(wasm, (list, tuple)) or not wasm:
        raise ManifestError("manifest: 'wasm' must be a non-empty list of modules")
    sources = [_source(entry, i) for i, entry in enumerate(wasm)]
    memory = raw.get("memory") or {}
    if not isinstance(memory, Mapping):
        raise ManifestError("manifest: 'memory' must be an object")
    unknown = set(memory) - _MEMORY_KEYS
    if unknown:
        raise ManifestError("manifest: memory: unknown field(s) %s" % ", ".join(sorted(unknown)))
    config = raw.get("config") or {}
    if not isinstance(config, Mapping):
        raise ManifestError("manifest: 'config' must be an object of strings")
    hosts = raw.get("allowed_hosts")
    if hosts is not None and (not isinstance(hosts, (list, tuple))
                              or not all(isinstance(h, str) for h in hosts)):
        raise ManifestError("manifest: 'allowed_hosts' must be a list of strings")
    paths = raw.get("allowed_paths") or {}
    if not isinstance(paths, Mapping):
        raise ManifestError("manifest: 'allowed_paths' must map host directories to guest paths")
    return Manifest(
        sources,
        config={str(k): _config_value(v) for k, v in config.items()},
        allowed_hosts=list(hosts) if hosts is not None else None,
        allowed_paths={os.fspath(k): os.fspath(v) for k, v in paths.items()},
        timeout_ms=_optional_int(raw.get("timeout_ms"), "timeout_ms"),
        max_pages=_optional_int(memory.get("max_pages"), "memory.max_pages"),
        max_http_response_bytes=_optional_int(memory.get("max_http_response_bytes"),
                                              "memory.max_http_response_bytes"),
        max_var_bytes=_optional_int(memory.get("max_var_bytes"), "memory.max_var_bytes"),
    )


def _config_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _from_text(text: Union[str, bytes]) -> Manifest:
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise ManifestError("not a Wasm module or a JSON manifest: %s (WebAssembly text "
                            "is not loaded directly: assemble it with wat2wasm)" % error) from None
    if not isinstance(raw, Mapping):
        raise ManifestError("a JSON manifest must be an object")
    return _from_mapping(raw)


def load_manifest(plugin: Any) -> Manifest:
    """Turn what ``Plugin(...)`` accepts into a :class:`Manifest`.

    ``plugin``: a manifest ``dict``; the bytes of a module; a path (``str`` or
    ``os.PathLike``) to a ``.wasm`` file or a JSON manifest; a JSON manifest as text.
    """
    if isinstance(plugin, Manifest):
        return plugin
    if isinstance(plugin, Mapping):
        return _from_mapping(plugin)
    if isinstance(plugin, os.PathLike) or (isinstance(plugin, str) and os.path.exists(plugin)):
        path = os.fspath(plugin)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as error:
            raise ManifestError("cannot read %r: %s" % (path, error.strerror or error)) from error
        if data.startswith(WASM_MAGIC):
            return Manifest([WasmSource(data, None, path)])
        return _from_text(data)
    if isinstance(plugin, str):
        return _from_text(plugin)
    if isinstance(plugin, (bytes, bytearray, memoryview)):
        data = bytes(plugin)
        if data.startswith(WASM_MAGIC):
            return Manifest([WasmSource(data, None, "data")])
        return _from_text(data)
    raise TypeError("a plugin is a manifest dict, Wasm bytes, a path or JSON text, not %s"
                    % type(plugin).__name__)
