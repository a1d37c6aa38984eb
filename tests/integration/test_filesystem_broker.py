"""The server-less broker of the development shape: messages are whole when a worker reads them,
and an unreadable file does not stop the worker."""

from __future__ import annotations

from pathlib import Path

from kombu import Connection

import config.celery  # noqa: F401  (registers the atomic filesystem transport)


def connection(folder: Path) -> Connection:
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": True,
        },
    )


def test_messages_are_written_whole_and_all_read(tmp_path: Path) -> None:
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        for i in range(50):
            queue.put({"n": i})
        # Only complete message files are ever visible in the queue folder.
        files = list((tmp_path / "queue").iterdir())
        assert len([f for f in files if f.name.endswith(".jobs.msg")]) == 50
        assert not [f for f in files if f.name.startswith(".writing-")]
        received = [queue.get(timeout=5) for _ in range(50)]
        assert sorted(m.payload["n"] for m in received) == list(range(50))
        for message in received:
            message.ack()
        queue.close()


def test_an_unreadable_message_file_is_skipped_not_fatal(tmp_path: Path) -> None:
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        (tmp_path / "queue" / "0_broken.tasks.msg").write_bytes(b"")  # what a torn write leaves
        queue.put({"n": 1})

        message = queue.get(timeout=5)

        assert message.payload == {"n": 1}
        message.ack()
        queue.close()
