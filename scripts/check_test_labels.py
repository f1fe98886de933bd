#!/usr/bin/env python3
"""Every CTest test carries exactly one kind label, and the docs name exactly those labels.

Kinds (docs/development.md#labels): unit, sim, server, integration, browser; the ThreadSanitizer
tree adds `tsan` beside a kind. The test list comes from `ctest --show-only=json-v1` in a build
tree, so GoogleTest cases discovered at test time are checked too (a binary that is not built
shows as <name>_NOT_BUILT and is reported, not checked). Each --doc file must name the labels in
`-L <label>` commands: all of them, and no other.

Exit 0 when all holds, 1 with one line per problem otherwise.
"""
import argparse
import json
import re
import subprocess
import sys

KINDS = {"unit", "sim", "server", "integration", "browser"}
EXTRA = {"tsan"}


def test_labels(build_dir):
    listing = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build_dir, check=True,
                             capture_output=True, text=True).stdout
    for test in json.loads(listing)["tests"]:
        labels = []
        for prop in test.get("properties", []):
            if prop["name"] == "LABELS":
                labels = list(prop["value"])
        yield test["name"], labels


def label_problems(tests):
    problems, not_built, counted = [], [], 0
    for name, labels in tests:
        if name.endswith("_NOT_BUILT"):
            not_built.append(name[: -len("_NOT_BUILT")])
            continue
        counted += 1
        kinds = [label for label in labels if label in KINDS]
        unknown = [label for label in labels if label not in KINDS | EXTRA]
        if len(kinds) != 1:
            problems.append(f"{name}: labels {labels or '(none)'}: needs exactly one of "
                            f"{', '.join(sorted(KINDS))}")
        if unknown:
            problems.append(f"{name}: unknown label(s) {', '.join(unknown)}")
    return problems, not_built, counted


def doc_problems(path):
    with open(path, encoding="utf-8") as doc:
        named = set(re.findall(r"-L (\w+)", doc.read()))
    problems = []
    for missing in sorted((KINDS | EXTRA) - named):
        problems.append(f"{path}: never names the label {missing} (as `-L {missing}`)")
    for unknown in sorted(named - KINDS - EXTRA):
        problems.append(f"{path}: names `-L {unknown}`, which no test carries")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", help="a configured build tree to list the tests of")
    parser.add_argument("--doc", action="append", default=[], help="a file naming the labels")
    args = parser.parse_args()
    problems = []
    if args.build:
        found, not_built, counted = label_problems(test_labels(args.build))
        problems += found
        print(f"{counted} tests checked" +
              (f"; not built, so not checked: {', '.join(not_built)}" if not_built else ""))
    for path in args.doc:
        problems += doc_problems(path)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
