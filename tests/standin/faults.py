"""Fault injection for the Bot API stand-in: random (seeded) plans and scripted one-off faults.

Kinds (``KINDS``):

* ``"429"``        429 ``Too Many Requests: retry after N`` with ``parameters.retry_after = N``
* ``"500"``        500 ``Internal Server Error`` (JSON)
* ``"502"``        502 Bad Gateway with nginx's HTML page (not JSON, as a proxy in front would send)
* ``"502-json"``   502 ``Bad Gateway`` as a JSON error
* ``"hang"``       no answer until the client gives up (closes the connection), the stand-in stops
                   or ``delay`` seconds (default 30) pass; then the connection is closed
* ``"drop"``       the connection is closed without any answer
* ``"slow"``       the call is answered normally, after ``delay`` seconds (default 0.5)
* ``"403"``        403 ``Forbidden: bot was blocked by the user``
* ``"400-reply"``  400 ``Bad Request: message to be replied not found``

Every kind but ``"slow"`` has no side effect: a faulted sendMessage stores/delivers nothing and a
faulted getUpdates confirms no offset.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["DEFAULT_EXEMPT", "KINDS", "FaultPlan", "FaultSpec", "kind_applies"]

KINDS = ("429", "500", "502", "502-json", "hang", "drop", "slow", "403", "400-reply")

# Methods a FaultPlan leaves alone unless they are named in ``methods``: start-up/shutdown calls
# whose failure would only abort the bot's bootstrap, not exercise its delivery logic.
DEFAULT_EXEMPT = frozenset(
    {
        "getMe",
        "deleteWebhook",
        "setWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "close",
        "logOut",
    }
)

_CHAT_METHODS = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "deleteMessage", "sendChatAction"}
)


def kind_applies(kind: str, method: str) -> bool:
    """Whether a random plan may give ``method`` a fault of ``kind`` (scripted faults always apply).

    "403" only hits calls aimed at a chat; "400-reply" only hits send* calls.
    """
    if kind == "400-reply":
        return method.startswith("send") and method != "sendChatAction"
    if kind == "403":
        return method.startswith("send") or method in _CHAT_METHODS
    return True


@dataclass(frozen=True)
class FaultSpec:
    """One fault to inject. ``delay`` is the slow delay / the longest hang, in seconds."""

    kind: str
    retry_after: int = 1
    delay: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")


@dataclass
class FaultPlan:
    """Inject faults at random, deterministically.

    Whether the n-th call of a method is faulted, and with which kind, depends only on
    ``(seed, method, n)`` – not on timing or on the interleaving with other methods – so a run is
    reproducible even with concurrent requests.

    ``methods``: ``None`` = every method except ``exempt``; a collection of method names; or a
    mapping ``{method: rate}`` overriding ``rate`` per method. ``kinds`` defaults to the transient
    network/server errors ``("429", "500", "502", "drop")``. ``max_faults`` caps the total.
    Counting starts when the plan is created; assign a fresh plan to restart the sequence.
    """

    rate: float = 0.05
    seed: int = 0
    kinds: Iterable[str] = ("429", "500", "502", "drop")
    methods: Iterable[str] | Mapping[str, float] | None = None
    retry_after: int = 1
    delay: float | None = None
    max_faults: int | None = None
    exempt: frozenset[str] = DEFAULT_EXEMPT
    injected: Counter = field(default_factory=Counter, init=False)
    _calls: Counter = field(default_factory=Counter, init=False, repr=False)

    def __post_init__(self) -> None:
        self.kinds = tuple(self.kinds)
        for kind in self.kinds:
            if kind not in KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        if self.methods is not None and not isinstance(self.methods, Mapping):
            self.methods = frozenset(self.methods)

    def rate_for(self, method: str) -> float:
        if self.methods is None:
            return 0.0 if method in self.exempt else self.rate
        if isinstance(self.methods, Mapping):
            return float(self.methods.get(method, 0.0))
        return self.rate if method in self.methods else 0.0

    def decide(self, method: str) -> FaultSpec | None:
        """The fault for the next call of ``method``, or None. Not thread-safe: the server locks."""
        rate = self.rate_for(method)
        if rate <= 0.0:
            return None
        n = self._calls[method]
        self._calls[method] = n + 1
        if self.max_faults is not None and sum(self.injected.values()) >= self.max_faults:
            return None
        rng = random.Random(f"{self.seed}:{method}:{n}")
        if rng.random() >= rate:
            return None
        kinds = [kind for kind in self.kinds if kind_applies(kind, method)]
        if not kinds:
            return None
        kind = kinds[rng.randrange(len(kinds))]
        self.injected[kind] += 1
        return FaultSpec(kind, retry_after=self.retry_after, delay=self.delay)
