"""kombu's filesystem transport, with messages written atomically.

The stock transport creates a message file and then writes into it, while the consumer takes no
lock: a worker polling at the wrong moment moves and reads an empty file, and dies with
"Unrecoverable error: JSONDecodeError" (seen here under load, with several producers). Here each
message is written to a hidden temporary file in the same folder and renamed into place, so a
consumer only ever sees complete files; and a message that still cannot be read is set aside
instead of killing the worker.
"""

from __future__ import annotations

import logging
import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    # kombu's own stubs disagree on this signature between its base classes; this is the one the
    # filesystem channel is called with.
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # Not matching "<anything>.<queue>.msg" until renamed: consumers skip it.
        partial = os.path.join(self.data_folder_out, f".writing-{uuid.uuid4()}")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, final)  # atomic within one filesystem
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        while True:
            try:
                return super()._get(queue)
            except ValueError:  # a file that is not a message: skip it, keep the worker alive
                logger.exception("skipped an unreadable message file in queue %s", queue)


class Transport(filesystem.Transport):
    Channel = Channel
