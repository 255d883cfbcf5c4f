"""API keys and rate limits for the ``/v1/`` routes (health, readiness, metrics, docs and the web page stay open).

Keys (setting NEWSFUSE_API_KEYS) come as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` and are
compared with ``hmac.compare_digest`` against every configured key. Requests are rate limited per key, or
per client IP when no keys are configured, by an in-memory token bucket.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.problems import problem_response

PRINCIPAL_SCOPE_KEY = "newsfuse.principal"
"""Where the middleware leaves who is calling: ``key:<sha256 of the key>`` or ``ip:<address>``."""
PROTECTED_PREFIX = "/v1/"


def principal_of(scope: Scope) -> str | None:
    value = scope.get(PRINCIPAL_SCOPE_KEY)
    return value if isinstance(value, str) else None


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """``burst`` requests at once, refilled at ``per_minute`` per minute, per identity; memory is bounded."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_identities: int = 100_000,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._max_identities = max_identities
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, identity: str) -> float:
        """Spend one token: 0.0 if the request may go on, else the seconds until a token is back."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(identity)
            if bucket is None:
                if len(self._buckets) >= self._max_identities:
                    self._prune(now)
                bucket = self._buckets[identity] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget identities whose bucket has refilled (they are indistinguishable from new ones)."""
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self._max_identities:  # all busy: drop the oldest half
            for key in sorted(self._buckets, key=lambda k: self._buckets[k].updated)[: len(self._buckets) // 2]:
                del self._buckets[key]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def presented_key(scope: Scope) -> str | None:
    authorization = _header(scope, b"authorization")
    if authorization:
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
    key = _header(scope, b"x-api-key")
    return key.strip() if key and key.strip() else None


class AccessControl:
    """ASGI middleware: 401/403 without a valid key (when keys are set), 429 over the rate limit."""

    def __init__(
        self, app: ASGIApp, *, keys: Sequence[str], limiter: TokenBucketLimiter | None, realm: str = "newsfuse"
    ) -> None:
        self.app = app
        self._keys = [k.encode("utf-8") for k in keys]
        self._limiter = limiter
        self._realm = realm

    def _matches(self, key: str) -> bool:
        given = key.encode("utf-8")
        matched = False
        for candidate in self._keys:  # every key compared, so timing does not tell which one is close
            matched |= hmac.compare_digest(given, candidate)
        return matched

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PROTECTED_PREFIX):
            await self.app(scope, receive, send)
            return
        if self._keys:
            key = presented_key(scope)
            if key is None:
                response = problem_response(
                    401,
                    "Authentication required",
                    "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                    slug="unauthorized",
                    instance=path,
                    headers={"WWW-Authenticate": f'Bearer realm="{self._realm}"'},
                )
                await response(scope, receive, send)
                return
            if not self._matches(key):
                response = problem_response(
                    403, "Forbidden", "the API key is not valid", slug="forbidden", instance=path
                )
                await response(scope, receive, send)
                return
            principal = "key:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
        else:
            client = scope.get("client")
            principal = "ip:" + (client[0] if client else "unknown")
        scope[PRINCIPAL_SCOPE_KEY] = principal
        if self._limiter is not None:
            wait = self._limiter.take(principal)
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                response = problem_response(
                    429,
                    "Too many requests",
                    f"rate limit of {self._limiter.rate * 60:g} requests per minute (burst "
                    f"{self._limiter.burst:g}) exceeded; retry in {retry_after} s "
                    "(settings NEWSFUSE_RATE_LIMIT_PER_MINUTE, NEWSFUSE_RATE_LIMIT_BURST)",
                    slug="rate-limited",
                    instance=path,
                    headers={"Retry-After": str(retry_after)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
