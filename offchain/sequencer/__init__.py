"""The sequencer: a durable journal of accepted requests and the batch builder on top of it."""

from offchain.sequencer.journal import (
    BatchRecord,
    Journal,
    JournalError,
    L2Request,
    PriorityRequest,
    PriorityRequestError,
)
from offchain.sequencer.sequencer import (
    Receipt,
    ReplayMismatch,
    Sequencer,
    SequencerError,
    priority_op,
)

__all__ = [
    "BatchRecord",
    "Journal",
    "JournalError",
    "L2Request",
    "PriorityRequest",
    "PriorityRequestError",
    "Receipt",
    "ReplayMismatch",
    "Sequencer",
    "SequencerError",
    "priority_op",
]
