#!/usr/bin/python3
"""Issue 19's numbers (not a test: prints measurements): the extra latency of a relayed join and
the Redis traffic of a cluster, with redis-server and three rrtc nodes on 127.0.0.1
(cluster_nodes.py) and python3-aiortc participants.

Latency: per run a new room; an aiortc publisher (audio + video) joins through node1 and its
media reaches the room's node; then two viewers (aiortc, never offering: the room's node offers
them the publisher's tracks) join one after the other, one through the room's node ("direct")
and one through another node ("relayed"; the order alternates between runs). For each viewer:
time from starting the WebSocket connect to `joined`, to the server's offer, and to the first
decoded audio and video frame of the publisher.

Redis traffic: Redis's MONITOR is read throughout. A command belongs to a join when it comes
in the window from the viewer's connect to its first video frame and is not background
(PING, the heartbeat script on rrtc:node:*, and the commands those scripts run). Commands
inside a script count once as a round trip and each as an executed command.
Per participant-minute: INFO commandstats over `--minute` seconds with no participant, then
with 4 participants in 2 rooms (each room: one client on the room's node, one relayed)
publishing audio and video; the difference per participant, scaled to a minute.

With --single: the same viewer join on one rrtc without redis_url (the baseline).

Usage: cluster_bench.py --rrtc <rrtc binary> [--runs 12] [--minute 60] [--json out.jsonl]
       cluster_bench.py --rrtc <rrtc binary> --single [--runs 12] [--json out.jsonl]"""
import argparse
import asyncio
import json
import re
import socket
import statistics
import threading
import time

from aiortc_room import wait_for
from cluster_client import ClusterClient
from cluster_nodes import Cluster, _encode, _Reader, require_redis
from rrtc_server import Server, check, metrics

MONITOR_LINE = re.compile(r'^(\d+\.\d+) \[\d+ ([^\]]+)\] "([^"]+)"(.*)$')


class Monitor(threading.Thread):
    """Reads Redis MONITOR into a list of (wall time, client, command, first argument)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(_encode("MONITOR"))
        self.reader = _Reader(self.sock)
        check(self.reader.reply() == "OK", "MONITOR refused")
        self.lines = []
        self.stopped = False

    def run(self):
        while not self.stopped:
            try:
                line = self.reader.reply()
            except (OSError, ConnectionError):
                return
            match = MONITOR_LINE.match(line)
            if match:
                args = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(4))
                self.lines.append((float(match.group(1)), match.group(2), match.group(3).upper(),
                                   args))

    def stop(self):
        self.stopped = True
        self.sock.close()

    def classify(self, start, end):
        """Join commands in [start, end]: {'round_trips': n, 'executed': n, 'by_command': {}}."""
        round_trips = 0
        executed = 0
        by_command = {}
        background = False
        for when, client, command, args in self.lines:
            if when < start or when > end:
                continue
            if client == "lua":
                if not background:
                    executed += 1
                    by_command[command] = by_command.get(command, 0) + 1
                continue
            background = command == "PING" or (
                command in ("EVALSHA", "EVAL") and len(args) > 2 and
                args[2].startswith("rrtc:node:"))
            if background:
                continue
            round_trips += 1
            executed += 1
            name = command if command not in ("EVALSHA", "EVAL") else \
                f"{command}({args[2].split(':')[1] if len(args) > 2 else '?'})"
            by_command[name] = by_command.get(name, 0) + 1
        return {"round_trips": round_trips, "executed": executed, "by_command": by_command}


def video_received(port):
    return sum(v for k, v in metrics(port).items()
               if k.startswith("rrtc_media_rtp_packets_received_total") and "video" in k)


async def viewer_run(cluster, monitor, room, mode, via, room_node, publisher):
    viewer = ClusterClient(f"v-{mode}", via.port, room)
    wall_start = time.time()
    try:
        await viewer.join()
        await wait_for(lambda: viewer.received(publisher, "camera") >= 1 and
                       viewer.received(publisher, "audio") >= 1, f"{mode} viewer's first media")
        wall_end = time.time()
        offer_at = viewer.first_time(lambda m: m["type"] == "offer")
        result = {
            "mode": mode, "room": room, "via": getattr(via, "node_id", "single"),
            "room_node": getattr(room_node, "node_id", "single"),
            "joined_s": viewer.joined_at - viewer.started,
            "offer_s": None if offer_at is None else offer_at - viewer.started,
            "first_audio_s": viewer.first_frame_at[f"{publisher}-audio"] - viewer.started,
            "first_video_s": viewer.first_frame_at[f"{publisher}-camera"] - viewer.started,
            "redis": None if monitor is None else monitor.classify(wall_start, wall_end),
        }
        check(not viewer.errors, viewer.errors)
        return result
    finally:
        await viewer.send({"type": "leave"})
        await viewer.close()
        await wait_for(lambda: metrics(room_node.port)["rrtc_media_peers"] == 1,
                       "the viewer's PeerConnection released")


async def latency(cluster, monitor, runs, out):
    results = []
    node1 = cluster.nodes[0]
    for run in range(runs):
        room = f"latency-{run}"
        publisher = ClusterClient("pub", node1.port, room)
        try:
            await publisher.join()
            room_node = cluster.node(cluster.redis.placement(room))
            other = next(n for n in cluster.nodes if n is not room_node)
            await publisher.publish()
            before = video_received(room_node.port)
            await wait_for(lambda: video_received(room_node.port) > before + 20,
                           "the publisher's video at the room's node")
            modes = [("direct", room_node), ("relayed", other)]
            if run % 2:
                modes.reverse()
            for mode, via in modes:
                record(results, out, run,
                       await viewer_run(cluster, monitor, room, mode, via, room_node, "pub"))
        finally:
            await publisher.close()
        await wait_for(lambda: cluster.redis.placement(room) is None, "the room ended")
    return results


def record(results, out, run, result):
    """One viewer run: kept, appended to the raw JSON lines file and printed."""
    result["run"] = run
    results.append(result)
    out.write(json.dumps(result) + "\n")
    out.flush()
    print(json.dumps(result), flush=True)


async def single_latency(server, runs, out):
    """The same viewer join on one rrtc without redis_url: the baseline without a cluster."""
    results = []
    for run in range(runs):
        room = f"single-{run}"
        publisher = ClusterClient("pub", server.port, room)
        try:
            await publisher.join()
            await publisher.publish()
            before = video_received(server.port)
            await wait_for(lambda: video_received(server.port) > before + 20,
                           "the publisher's video at the server")
            record(results, out, run,
                   await viewer_run(None, None, room, "single", server, server, "pub"))
        finally:
            await publisher.close()
    return results


def summary(results):
    lines = []
    for mode in ("single", "direct", "relayed"):
        rows = [r for r in results if r["mode"] == mode]
        if not rows:
            continue
        for key in ("joined_s", "offer_s", "first_audio_s", "first_video_s"):
            values = sorted(r[key] * 1000 for r in rows if r[key] is not None)
            p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
            lines.append(f"{mode:8} {key:14} n={len(values):3} median {statistics.median(values):8.1f} ms"
                         f"  p95 {p95:8.1f} ms  min {values[0]:8.1f}  max {values[-1]:8.1f}")
        if rows[0]["redis"] is None:
            continue
        trips = [r["redis"]["round_trips"] for r in rows]
        executed = [r["redis"]["executed"] for r in rows]
        lines.append(f"{mode:8} redis per join: round trips median {statistics.median(trips)} "
                     f"(min {min(trips)}, max {max(trips)}); executed median "
                     f"{statistics.median(executed)} (min {min(executed)}, max {max(executed)})")
    return "\n".join(lines)


def commands_total(stats):
    return sum(stats.values())


async def per_minute(cluster, seconds):
    redis = cluster.redis
    start = redis.commandstats()
    await asyncio.sleep(seconds)  # the measurement window, idle
    idle = redis.commandstats()
    clients = []
    try:
        for index, room in enumerate(("minute-a", "minute-b")):
            first = ClusterClient(f"{room}-1", cluster.nodes[index].port, room)
            clients.append(first)
            await first.join()
            room_node = cluster.node(redis.placement(room))
            other = next(n for n in cluster.nodes if n is not room_node)
            direct_via = room_node if first.port != room_node.port else other
            second = ClusterClient(f"{room}-2", direct_via.port, room)
            clients.append(second)
            await second.join()
        for client in clients:
            await client.publish()
        await wait_for(lambda: all(sum(c.frames.values()) > 20 for c in clients),
                       "everyone receiving")
        loaded_start = redis.commandstats()
        await asyncio.sleep(seconds)  # the measurement window, 4 participants
        loaded_end = redis.commandstats()
    finally:
        for client in clients:
            await client.close()

    def delta(a, b):
        return {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b) if b.get(k, 0) - a.get(k, 0)}

    idle_delta = delta(start, idle)
    loaded_delta = delta(loaded_start, loaded_end)
    scale = 60.0 / seconds
    idle_rate = commands_total(idle_delta) * scale
    loaded_rate = commands_total(loaded_delta) * scale
    return {"seconds": seconds, "nodes": len(cluster.nodes), "idle_commands": idle_delta,
            "loaded_commands": loaded_delta, "participants": len(clients),
            "idle_per_minute": idle_rate, "loaded_per_minute": loaded_rate,
            "per_participant_minute": (loaded_rate - idle_rate) / len(clients)}


async def scenario(cluster, args):
    monitor = Monitor(cluster.redis.port)
    monitor.start()
    with open(args.json, "w") as out:
        results = await latency(cluster, monitor, args.runs, out)
        monitor.stop()
        print(summary(results), flush=True)
        minute = await per_minute(cluster, args.minute)
        out.write(json.dumps({"per_minute": minute}) + "\n")
        print(json.dumps({"per_minute": minute}), flush=True)
        print(f"redis commands per minute: idle cluster {minute['idle_per_minute']:.0f}, with "
              f"{minute['participants']} participants {minute['loaded_per_minute']:.0f}: "
              f"{minute['per_participant_minute']:.2f} per participant-minute", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rrtc", required=True)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--minute", type=float, default=60)
    parser.add_argument("--json", default="/dev/null")
    parser.add_argument("--single", action="store_true",
                        help="one rrtc without redis_url: the baseline without a cluster")
    args = parser.parse_args()
    if args.single:
        with Server(args.rrtc, "workers = 1\nempty_room_grace_seconds = 0\n") as server, \
                open(args.json, "w") as out:
            print(summary(asyncio.run(single_latency(server, args.runs, out))), flush=True)
        return
    require_redis()
    with Cluster(args.rrtc, extra_config="workers = 1\n") as cluster:
        asyncio.run(scenario(cluster, args))


if __name__ == "__main__":
    main()
