#!/usr/bin/python3
"""Data channels relayed through the real rrtc binary between two python3-aiortc participants:
ann opens a "chat" channel (ordered, reliable) and rrtc opens one with the same label towards
ben; text and binary go both ways with the sender's id attached (text as
{"from": id, "data": text}, binary prefixed with the id's length and the id); a 1 MiB binary
message and 10,000 small text messages arrive intact and in order.

aiortc 1.4.0 announces a=max-message-size:65536 although it receives larger messages; rrtc
honours what a client announces, so the test has aiortc announce 4 MiB.

Usage: aiortc_data_test.py --rrtc <rrtc binary>"""
import asyncio
import json
import os
import sys
import time

import aiortc.rtcsctptransport as sctp_transport

from aiortc_room import Client, wait_for
from rrtc_server import Server, check

sctp_transport.RTCSctpTransport.getCapabilities = (
    lambda *args: sctp_transport.RTCSctpCapabilities(maxMessageSize=4 * 1024 * 1024))

SMALL = 10000
BIG = 1024 * 1024


async def scenario(server):
    ann = Client("ann", server.port, "data")
    ben = Client("ben", server.port, "data")
    try:
        await ann.join()
        await ben.join()
        chat = ann.open_channel("chat")
        ben.open_channel("warmup")  # ben's offer carries an application m-line too
        await ann.publish(media=False)
        await ben.publish(media=False)
        await wait_for(lambda: chat.readyState == "open", "ann's channel open")
        await wait_for(lambda: "chat" in ben.channels and ben.channels["chat"].readyState == "open",
                       "the server's chat channel at ben")

        chat.send("hello ben")
        await wait_for(lambda: ben.messages["chat"], "text at ben")
        check(json.loads(ben.messages["chat"][0]) == {"from": "ann", "data": "hello ben"},
              ben.messages["chat"])
        ben.channels["chat"].send(b"\x00\x01\xffbinary")
        await wait_for(lambda: ann.messages["chat"], "binary at ann")
        check(ann.messages["chat"][0] == b"\x03ben\x00\x01\xffbinary", ann.messages["chat"])
        ben.channels["chat"].send("héllo \"ann\"\n")
        await wait_for(lambda: len(ann.messages["chat"]) == 2, "text at ann")
        check(json.loads(ann.messages["chat"][1]) == {"from": "ben", "data": "héllo \"ann\"\n"},
              ann.messages["chat"])

        start = time.monotonic()
        blob = os.urandom(BIG)
        chat.send(blob)
        await Client.send_paced(chat, (f"message {i}" for i in range(SMALL)))
        # aiortc's SCTP is pure Python: on a loaded machine this takes minutes, and its
        # retransmission timer backs off up to 60 s after losses. Wait as long as messages keep
        # arriving within 90 s.
        arrived = -1
        while len(ben.messages["chat"]) < 2 + SMALL:
            if len(ben.messages["chat"]) <= arrived:
                values = await server.metrics()
                print({k: v for k, v in values.items() if k.startswith("rrtc_data")}, flush=True)
            check(len(ben.messages["chat"]) > arrived,
                  f"messages stopped arriving at ben ({arrived} of {2 + SMALL})")
            arrived = len(ben.messages["chat"])
            try:
                await wait_for(lambda: len(ben.messages["chat"]) >= 2 + SMALL, "", timeout=90)
            except AssertionError:
                pass
        print(f"{SMALL} messages and 1 MiB in {time.monotonic() - start:.1f} s", flush=True)
        received = ben.messages["chat"]
        check(received[1] == b"\x03ann" + blob, "the 1 MiB message arrived altered")
        texts = [json.loads(m)["data"] for m in received[2:]]
        check(texts == [f"message {i}" for i in range(SMALL)], "small messages out of order")
        values = await server.metrics()
        print({k: v for k, v in values.items() if k.startswith("rrtc_data")}, flush=True)
        check(values["rrtc_data_messages_dropped_total"] == 0, values)
        check(values["rrtc_data_messages_relayed_total"] >= SMALL + 4, values)
    finally:
        await ann.close()
        await ben.close()


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc", "usage: aiortc_data_test.py --rrtc <rrtc>")
    # The relay is what is tested here, not its policing: 10,000 messages sent as fast as
    # aiortc can would meet max_data_messages_per_second (200 by default).
    with Server(sys.argv[2], "workers = 1\nmax_data_messages_per_second = 1000000\n"
                "max_data_bytes_per_second = 100000000\n") as server:
        asyncio.run(scenario(server))
    print("aiortc data channel test passed")


if __name__ == "__main__":
    main()
