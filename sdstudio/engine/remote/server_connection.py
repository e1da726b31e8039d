"""Talking HTTP to an ``sdstudio serve`` server with the standard library only.

Every problem becomes a :class:`ServerError` whose message says what happened in words: the
server cannot be reached, it refused the token or the job (with its own reason), or the
connection dropped or went silent mid-stream.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from sdstudio.engine.errors import UserFacingError

AUTHORIZATION = "Authorization"
TOKEN_VARIABLE = "SDSTUDIO_SERVER_TOKEN"  # where commands read a token not given as --token


class ServerError(UserFacingError):
    """The server could not be used for this request; the message says why. ``status`` is
    the HTTP status of a refusal (None when there was no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ServerConnection:
    """Requests to one server: ``url`` such as ``http://127.0.0.1:7861``, ``token`` sent as
    ``Authorization: Bearer``. ``timeout`` is how long a reply (or the next line of a
    stream) may take; the server writes a line at least every few seconds while a job waits."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServerError(f"Not a server address: {url!r} (use http://HOST:PORT)")
        try:
            port = parts.port
        except ValueError:
            raise ServerError(f"Not a server address: {url!r} (the port is not a number)") from None
        self.url = url.rstrip("/")
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, port
        self._prefix = parts.path.rstrip("/")
        self._token = token
        self.timeout = timeout

    def get_json(self, path: str) -> Any:
        with self._exchange("GET", path) as response:
            return self._json(response)

    def post_json(self, path: str, body: object, timeout: float | None = None) -> Any:
        with self._exchange("POST", path, body, timeout) as response:
            return self._json(response)

    def lines(self, path: str, body: object = None) -> Iterator[Any]:
        """The JSON objects of a newline-delimited stream, as they arrive (the answer to a
        GET, or to a POST of ``body``); it ends when the server closes the stream."""
        with self._exchange("GET" if body is None else "POST", path, body) as response:
            while True:
                try:
                    line = response.readline()
                except TimeoutError:
                    raise ServerError(
                        f"The server at {self.url} sent nothing for {self.timeout:.0f} s; "
                        "the connection is taken as lost"
                    ) from None
                except (OSError, http.client.HTTPException) as error:
                    raise ServerError(f"The connection to {self.url} was lost: {error}") from None
                if not line:
                    return
                if line.strip():
                    yield _decoded(line)

    # -- one request -----------------------------------------------------------------------

    def _exchange(
        self, method: str, path: str, body: object = None, timeout: float | None = None
    ) -> _Response:
        kind = (
            http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(self._host, self._port, timeout=timeout or self.timeout)
        headers = {"Accept": "application/json"}
        if self._token:
            headers[AUTHORIZATION] = f"Bearer {self._token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, self._prefix + path, body=data, headers=headers)
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise ServerError(f"Cannot reach the server at {self.url}: {_reason(error)}") from None
        if response.status >= 400:
            try:
                raise ServerError(self._refusal(response), response.status)
            finally:
                connection.close()
        return _Response(connection, response)

    def _refusal(self, response: http.client.HTTPResponse) -> str:
        try:
            why = json.loads(response.read()).get("error") or response.reason
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            why = response.reason
        if response.status == 401:
            return f"The server at {self.url} refused the token: {why}"
        return f"The server at {self.url} refused the request ({response.status}): {why}"

    def _json(self, response: http.client.HTTPResponse) -> Any:
        try:
            return _decoded(response.read())
        except (OSError, http.client.HTTPException) as error:
            raise ServerError(f"The connection to {self.url} was lost: {error}") from None


class _Response:
    """A response and its connection, closed together."""

    def __init__(
        self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse
    ) -> None:
        self._connection = connection
        self._response = response

    def __enter__(self) -> http.client.HTTPResponse:
        return self._response

    def __exit__(self, *_exc: object) -> None:
        self._connection.close()


def _decoded(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        raise ServerError(f"The server sent something that is not JSON: {data[:80]!r}") from None


def _reason(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "nothing is listening there (is `sdstudio serve` running?)"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "no answer in time"
    return str(error) or type(error).__name__
