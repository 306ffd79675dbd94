"""An SMTP server on loopback that accepts every message and keeps only counts, for
bench/broadcast.py. Run in a process of its own, so that the server never shares the GIL
with the sender it measures.

    python bench/smtp_sink.py PORT

Prints "ready" once it listens. On SIGTERM it prints one line of JSON (messages, distinct
recipients, bytes, messages carrying List-Unsubscribe) and exits.
"""

from __future__ import annotations

import json
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self):
        self.messages = 0
        self.bytes = 0
        self.with_unsubscribe = 0
        self.recipients: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.bytes += len(envelope.content)
        self.recipients.update(envelope.rcpt_tos)
        if b"\nList-Unsubscribe:" in envelope.content:
            self.with_unsubscribe += 1
        return "250 OK"

    def summary(self) -> dict[str, int]:
        return {
            "messages": self.messages,
            "recipients": len(self.recipients),
            "bytes": self.bytes,
            "with_unsubscribe": self.with_unsubscribe,
        }


def main() -> None:
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=int(sys.argv[1]))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    controller.start()
    print("ready", flush=True)
    stopping.wait()
    controller.stop()
    print(json.dumps(counter.summary()), flush=True)


if __name__ == "__main__":
    main()
