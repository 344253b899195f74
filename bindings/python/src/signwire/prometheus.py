"""Prometheus counters for the middlewares (optional: ``pip install signwire[prometheus]``).

>>> from prometheus_client import CollectorRegistry
>>> import signwire
>>> from signwire.prometheus import Metrics
>>> registry = CollectorRegistry()
>>> metrics = Metrics(registry=registry)
>>> metrics.refused("SIGNWIRE_ERR_BAD_SIGNATURE", "k1")
>>> registry.get_sample_value("signwire_verifications_total",
...                           {"status": "SIGNWIRE_ERR_BAD_SIGNATURE", "key_id": "k1"})
1.0

Give it to a middleware, decorator or dependency as ``metrics=``. The counter
``signwire_verifications_total`` has labels ``status`` (``SIGNWIRE_OK`` or the refusal's
status name) and ``key_id``: a key id configured in the verifier, else ``unknown``, so a
client inventing key ids cannot grow the label set.
"""

from __future__ import annotations

from typing import Any, Optional

from prometheus_client import Counter

__all__ = ["Metrics"]


class Metrics:
    """One counter, ``<namespace>_verifications_total{status, key_id}``."""

    def __init__(self, registry: Any = None, namespace: str = "signwire") -> None:
        kwargs = {} if registry is None else {"registry": registry}
        self.counter = Counter(
            "verifications",
            "Requests verified by signwire, by outcome and key id",
            ["status", "key_id"],
            namespace=namespace,
            **kwargs,
        )

    def accepted(self, key_id: str) -> None:
        self.counter.labels(status="SIGNWIRE_OK", key_id=key_id).inc()

    def refused(self, status: str, key_id: Optional[str]) -> None:
        self.counter.labels(status=status, key_id=key_id or "unknown").inc()
