#!/usr/bin/python3
"""Python fedora-messaging's answers for the differential test's inputs.

The inputs are test/differential/cases.json: messages (topic, headers,
content encoding, message id, priority, body bytes, and what the callback does)
and configuration files. For each message this runs Python's own code: the
consumer's `Consumer._read_one` on one delivery (which calls `get_message`
and the callback), with the log lines it prints at the daemon's level (INFO),
then `str()`, `repr()`, `dumps()` and `summary` of the message, or the
ValidationError's `summary` ("error"). For each configuration, the sentence of the ConfigurationException
`config.conf.load_config()` raises ("{file}" for the file's path), or null.

    /usr/bin/python3 test/differential/python-reference.py            # rewrite expected.json
    /usr/bin/python3 test/differential/python-reference.py --stdout   # print it (the unit test does this)

Needs Python fedora-messaging installed as /work/shared/notes/python-reference-howto.md
shows (Debian's python3-pika, -twisted, -jsonschema, ...; pip install -e --no-deps).
"""

import json
import logging
import os
import re
import sys
import tempfile

from twisted.internet import defer, threads

from fedora_messaging import config as fm_config
from fedora_messaging import message as fm_message
from fedora_messaging.exceptions import ConfigurationException, Drop, HaltConsumer, Nack, ValidationError
from fedora_messaging.twisted import consumer as fm_consumer

HERE = os.path.dirname(os.path.abspath(__file__))


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []
        self.setFormatter(logging.Formatter("[%(name)s %(levelname)s] %(message)s"))

    def emit(self, record):
        # Tracebacks (exceptions) are left out: ours are JS stacks.
        record.exc_info = None
        record.exc_text = None
        self.lines.append(self.format(record))


class Properties:
    """What `get_message` reads of pika's BasicProperties."""

    def __init__(self, case):
        self.headers = None if case["headers"] is None else json.loads(case["headers"])
        self.content_encoding = case["contentEncoding"]
        self.message_id = case["messageId"]
        self.priority = case["priority"]
        self.content_type = "application/json"
        self.delivery_mode = 2


class Frame:
    def __init__(self, routing_key):
        self.routing_key = routing_key
        self.delivery_tag = 1


class Channel:
    def basic_ack(self, **kw):
        return defer.succeed(None)

    def basic_nack(self, **kw):
        return defer.succeed(None)


class OneDelivery:
    """The queue object `_read_one` takes a delivery from."""

    def __init__(self, item):
        self.item = item

    def get(self):
        return defer.succeed(self.item)


def callback_for(action):
    def callback(message):
        if action == "nack":
            raise Nack()
        if action == "drop":
            raise Drop()
        if action == "halt":
            raise HaltConsumer(exit_code=3, reason="enough")
        if action == "fail":
            raise RuntimeError("the callback failed")

    callback.__name__ = callback.__qualname__ = "callback"
    return callback


def run_message(case, capture):
    capture.lines = []
    consumer = fm_consumer.Consumer(queue="q1", callback=callback_for(case.get("action", "return")))
    body = bytes.fromhex(case["bodyHex"])
    d = consumer._read_one(OneDelivery((Channel(), Frame(case["routingKey"]), Properties(case), body)))
    d.addErrback(lambda failure: None)  # Halt and errors end the consumer; the lines are what we compare
    # repr() of a function has its address ("<function callback at 0x7f...>"); JS functions have none.
    result = {"logs": [re.sub(r" at 0x[0-9a-f]+>", ">", line) for line in capture.lines]}
    capture.lines = []
    try:
        message = fm_message.get_message(case["routingKey"], Properties(case), body)
    except ValidationError as e:
        result["error"] = e.summary
    else:
        message.queue = "q1"
        result["str"] = str(message)
        result["repr"] = repr(message)
        result["dumps"] = fm_message.dumps(message)
        result["summary"] = message.summary
    capture.lines = []
    return result


def run_config(case):
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(case["toml"])
    try:
        fm_config.conf.loaded = False
        fm_config.conf.clear()
        fm_config.conf.load_config(config_path=f.name)
    except ConfigurationException as e:
        return {"error": str(e).replace(f.name, "{file}")}
    finally:
        os.unlink(f.name)
    return {"error": None}


def main():
    # The consumer runs the callback in a thread; here it runs in place, so that
    # one delivery is processed synchronously without a reactor.
    threads.deferToThread = lambda f, *a, **kw: defer.maybeDeferred(f, *a, **kw)
    cases = json.load(open(os.path.join(HERE, "cases.json"), encoding="utf-8"))
    capture = Capture()
    logger = logging.getLogger("fedora_messaging")
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    out = {
        "messages": [dict(name=c["name"], **run_message(c, capture)) for c in cases["messages"]],
        "configs": [dict(name=c["name"], **run_config(c)) for c in cases["configs"]],
    }
    text = json.dumps(out, indent=1, ensure_ascii=True) + "\n"
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
    else:
        with open(os.path.join(HERE, "expected.json"), "w", encoding="ascii") as f:
            f.write(text)
        print("wrote", os.path.join(HERE, "expected.json"), file=sys.stderr)


if __name__ == "__main__":
    main()
