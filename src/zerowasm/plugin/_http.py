"""``http_request`` for guests: one request, only to hosts the manifest allows.

The guest passes a JSON request ``{"url": ..., "method": "GET", "headers": {...}}`` and
an optional body. The host answers only if the URL's host name matches one of the
manifest's ``allowed_hosts`` glob patterns (``fnmatch``-style, case-insensitive; no
``allowed_hosts`` means no host at all) -- redirects included: a redirect to a host
that is not allowed fails the call the same way. Proxies from the environment are not
used. Response bodies are capped (``memory.max_http_response_bytes``, default 50 MiB).
"""

from __future__ import annotations

import fnmatch
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

from ._errors import HostCallError, Timeout

__all__ = ["HttpClient", "host_allowed", "DEFAULT_MAX_RESPONSE"]

DEFAULT_MAX_RESPONSE = 50 * 1024 * 1024


def host_allowed(url: str, allowed_hosts: Optional[List[str]]) -> bool:
    """Whether ``url``'s host matches one of ``allowed_hosts`` (globs)."""
    if not allowed_hosts:
        return False
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in allowed_hosts)


class _CheckedRedirect(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed_hosts: Optional[List[str]]) -> None:
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        if not host_allowed(newurl, self.allowed_hosts):
            raise HostCallError("HTTP request to %s is not allowed" % newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class HttpClient:
    """A plugin's HTTP state: the allow list, the last status code and headers."""

    def __init__(self, allowed_hosts: Optional[List[str]], max_response: Optional[int],
                 record_headers: bool) -> None:
        self.allowed_hosts = allowed_hosts
        self.max_response = DEFAULT_MAX_RESPONSE if max_response is None else max_response
        self.record_headers = record_headers
        self.status = 0
        self.headers: Optional[Dict[str, str]] = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                   _CheckedRedirect(allowed_hosts))

    def request(self, request_json: bytes, body: Optional[bytes],
                timeout: Optional[float]) -> bytes:
        """Perform the request; return the response body (raises HostCallError)."""
        try:
            spec = json.loads(request_json)
            url = str(spec["url"])
        except (ValueError, KeyError, TypeError) as error:
            raise HostCallError("invalid HTTP request: %s" % error) from None
        if not host_allowed(url, self.allowed_hosts):
            raise HostCallError("HTTP request to %s is not allowed" % url)
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise HostCallError("Invalid URL: unsupported scheme %r" % scheme)
        method = str(spec.get("method") or "GET").upper()
        headers = spec.get("headers") or {}
        request = urllib.request.Request(url, data=body, method=method)
        for name, value in dict(headers).items():
            request.add_header(str(name), str(value))
        if timeout is not None and timeout <= 0:
            raise HostCallError("timeout", Timeout)
        try:
            response = self._opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            response = error  # a 4xx/5xx answer is still an answer
        except socket.timeout:
            raise HostCallError("timeout", Timeout) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, socket.timeout):
                raise HostCallError("timeout", Timeout) from None
            raise HostCallError("HTTP request to %s failed: %s" % (url, reason)) from None
        try:
            self.status, data, response_headers = self._read(response)
        except socket.timeout:
            raise HostCallError("timeout", Timeout) from None
        finally:
            response.close()
        self.headers = response_headers if self.record_headers else None
        return data

    def _read(self, response: Any) -> Tuple[int, bytes, Dict[str, str]]:
        limit = self.max_response
        data = response.read(limit + 1)
        if len(data) > limit:
            raise HostCallError("HTTP response exceeds the configured maximum number of "
                                "bytes: %d" % limit)
        headers: Dict[str, str] = {}
        for name, value in response.headers.items():
            key = name.lower()
            headers[key] = headers[key] + ", " + value if key in headers else value
        return int(response.status if hasattr(response, "status") else response.code), \
            bytes(data), headers
