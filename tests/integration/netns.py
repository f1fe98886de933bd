"""Network namespaces and nftables for integration tests that shape traffic (DESIGN.md, "Network
shaping in tests"): a test runs itself again inside a namespace of its own whose only interface
is lo, so its rules touch nothing of the machine's and its traffic provably stays on it.

    def main():
        netns.run_inside("rrtc-loss", scenario_inside)   # returns the exit status to exit with

The outer process creates the namespace (deleting a stale one of the same name first), runs
`ip netns exec NS python3 <the same script> <args> --netns NS`, and always deletes the
namespace. The inner process (the one that sees --netns) refuses to run unless the kernel says
it is in that namespace, so an nft rule can never land in the machine's own ruleset.

Where a namespace cannot be made (not root, no `ip netns`, no `nft`) the outer process prints
why and exits with SKIPPED (CTest's SKIP_RETURN_CODE)."""
import json
import os
import shutil
import signal
import subprocess
import sys

SKIPPED = 77
# Less than the CTest TIMEOUT of the tests that use this, so the namespace is still deleted when
# the inner run hangs.
INNER_DEADLINE = 100  # seconds


class Unavailable(Exception):
    """No namespace can be made here; the message says why."""


def _run(argv, what):
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what}: `{' '.join(argv)}` exited {done.returncode}: "
                           f"{done.stderr.strip()}")
    return done.stdout


def _missing_requirement():
    if os.geteuid() != 0:
        return "network namespaces and nftables need root"
    for tool, package in (("ip", "iproute2"), ("nft", "nftables")):
        if shutil.which(tool) is None:
            return (f"`{tool}` is not installed (Debian package {package}: "
                    "scripts/install-deps.sh --test)")
    return None


def _exists(name):
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return any(line.split()[0] == name for line in listed.stdout.splitlines() if line.strip())


class Namespace:
    """A network namespace whose only interface, lo, is up; deleted on exit."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        reason = _missing_requirement()
        if reason:
            raise Unavailable(reason)
        if _exists(self.name):  # left by a run that was killed
            _run(["ip", "netns", "delete", self.name], "deleting a stale namespace")
        added = subprocess.run(["ip", "netns", "add", self.name], capture_output=True, text=True)
        if added.returncode != 0:
            raise Unavailable(f"`ip netns add` failed: {added.stderr.strip()}")
        try:
            _run(["ip", "-n", self.name, "link", "set", "lo", "up"], "bringing lo up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        _run(["ip", "netns", "delete", self.name], "deleting the namespace")

    def exec_argv(self, argv):
        return ["ip", "netns", "exec", self.name, *argv]


def current_namespace():
    """The name of the namespace this process is in, "" for the machine's own."""
    return subprocess.run(["ip", "netns", "identify", str(os.getpid())], capture_output=True,
                          text=True).stdout.strip()


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


def run_inside(prefix, scenario):
    """Runs `scenario(namespace_name)` in a process inside a fresh namespace named
    `<prefix>-<pid>`; returns the exit status for sys.exit (0, SKIPPED, or the inner failure)."""
    if "--netns" in sys.argv:
        name = sys.argv[sys.argv.index("--netns") + 1]
        if current_namespace() != name:
            raise AssertionError(f"not inside network namespace {name}: refusing to touch nftables")
        scenario(name)
        return 0
    # CTest ends a test that runs too long with SIGTERM: still delete the namespace.
    signal.signal(signal.SIGTERM, _terminated)
    name = f"{prefix}-{os.getpid()}"
    try:
        with Namespace(name) as namespace:
            argv = namespace.exec_argv([sys.executable, *sys.argv, "--netns", name])
            # Its own process group, so rrtc and everything else it started go with it.
            inner = subprocess.Popen(argv, start_new_session=True)
            try:
                return inner.wait(timeout=INNER_DEADLINE)
            except subprocess.TimeoutExpired:
                print(f"FAIL: no result within {INNER_DEADLINE} s", flush=True)
                return 1
            finally:
                if inner.poll() is None:
                    os.killpg(inner.pid, signal.SIGKILL)
                    inner.wait()
    except Unavailable as why:
        print(f"SKIPPED: {why}", flush=True)
        return SKIPPED


class Nftables:
    """One inet table with a filter chain on the input hook, in the current namespace, and named
    counters that rules count into: a named counter keeps its count when the rules that fed it
    are deleted, so a test can stop a loss and still read exactly how much it dropped."""

    def __init__(self, table="rrtc_test"):
        self.table = table
        _run(["nft", "add", "table", "inet", table], "nft")
        _run(["nft", "add", "chain", "inet", table, "input",
              "{ type filter hook input priority 0; }"], "nft")

    def add_counter(self, name):
        _run(["nft", "add", "counter", "inet", self.table, name], "nft")

    def add_set(self, name, key):
        """A set the packet path adds to and deletes from, keyed like `key` (e.g. "@th,80,16")."""
        _run(["nft", "add", "set", "inet", self.table, name,
              f"{{ typeof {key}; size 65535; flags dynamic; }}"], "nft")

    def elements(self, name):
        """The set's elements, sorted."""
        listed = json.loads(_run(["nft", "-j", "list", "set", "inet", self.table, name], "nft"))
        found = next(item["set"] for item in listed["nftables"] if "set" in item)
        return sorted(found.get("elem", []))

    def add_rule(self, *expression):
        """Appends a rule to the input chain; returns its handle."""
        echoed = json.loads(_run(["nft", "-j", "--echo", "--handle", "add", "rule", "inet",
                                  self.table, "input", *expression], "nft"))
        return next(item["add"]["rule"]["handle"] for item in echoed["nftables"]
                    if "add" in item and "rule" in item["add"])

    def delete_rule(self, handle):
        _run(["nft", "delete", "rule", "inet", self.table, "input", "handle", str(handle)], "nft")

    def packets(self, counter):
        """Packets counted so far by the named counter."""
        listed = json.loads(_run(["nft", "-j", "list", "counter", "inet", self.table, counter],
                                 "nft"))
        return next(item["counter"]["packets"] for item in listed["nftables"] if "counter" in item)
