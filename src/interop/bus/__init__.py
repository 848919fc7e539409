"""Durable messaging between agencies: store-backed inboxes, a worker loop,
retries with backoff and a dead-letter state."""

from interop.bus.queue import Bus, Delivery, Outgoing, RetryPolicy, keep_evidence, message_id
from interop.bus.worker import Handler, NoHandlerError, Worker, WorkerStats, role_of

__all__ = [
    "Bus",
    "Delivery",
    "Handler",
    "NoHandlerError",
    "Outgoing",
    "RetryPolicy",
    "Worker",
    "WorkerStats",
    "keep_evidence",
    "message_id",
    "role_of",
]
