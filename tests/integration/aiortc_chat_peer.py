#!/usr/bin/python3
"""A python3-aiortc participant for tests/e2e/specs/chat.test.js: joins a room of a running
rrtc, opens the "chat" data channel, sends a text message, a binary one and 10,000 small texts,
then waits for one text and one binary message from a browser participant and checks their
framing (text: {"from": id, "data": text}; binary: id length, id, bytes).

Prints one JSON object per line on stdout: {"event": "open"}, then {"event": "sent", ...}, then
{"event": "received", "from": ..., "text": ..., "binary": [...]}. Exits 0 when both arrived as
expected, 1 otherwise.

Usage: aiortc_chat_peer.py --port <port> --room <room> [--name py]"""
import argparse
import asyncio
import json
import sys

from aiortc_room import Client, wait_for
from rrtc_server import check

SMALL = 10000


def emit(**event):
    print(json.dumps(event), flush=True)


async def run(port, room, name, expect_text, expect_binary):
    client = Client(name, port, room)
    try:
        await client.join()
        chat = client.open_channel("chat")
        await client.publish(media=False)
        await wait_for(lambda: chat.readyState == "open", "the chat channel open")
        emit(event="open")
        chat.send("hello from aiortc")
        chat.send(bytes([0, 1, 2, 255]))
        await Client.send_paced(chat, (f"n {i}" for i in range(SMALL)))
        emit(event="sent", count=SMALL + 2)

        def from_browser():
            received = [m for label, messages in client.messages.items() for m in messages]
            texts = [json.loads(m) for m in received if isinstance(m, str)]
            binaries = [m for m in received if isinstance(m, bytes)]
            return (texts, binaries) if texts and binaries else None

        await wait_for(lambda: from_browser() is not None, "a text and a binary message",
                       timeout=120)
        texts, binaries = from_browser()
        text = texts[0]
        binary = binaries[0]
        sender = binary[1:1 + binary[0]].decode()
        emit(event="received", sender=text["from"], text=text["data"], binary=list(binary))
        check(text["from"] and text["from"] != name, f"text framed with from={text['from']!r}")
        check(text["data"] == expect_text, f"text {text['data']!r}")
        check(sender == text["from"], f"binary framed with id {sender!r}")
        check(binary[1 + binary[0]:] == expect_binary, f"binary payload {binary!r}")
    finally:
        await client.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--room", required=True)
    parser.add_argument("--name", default="py")
    args = parser.parse_args()
    try:
        asyncio.run(run(args.port, args.room, args.name, "hello from chromium", bytes([9, 8, 7])))
    except AssertionError as error:
        emit(event="failed", reason=str(error))
        sys.exit(1)


if __name__ == "__main__":
    main()
