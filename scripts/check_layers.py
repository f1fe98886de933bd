#!/usr/bin/env python3
"""Checks that every source file under src/<layer>/ includes only the layers it may use.

The allowed dependencies come from the one layering table, cmake/layers.cmake (the build reads
the same file; nothing here repeats it). For each .hpp/.cpp under src/<folder>/, every
`#include "x/..."` must name the folder itself or a layer that the folder's libraries list
there; a header may only name the PUBLIC ones, because whoever links the library sees its
headers but not its PRIVATE dependencies.

Exit status: 0 when the sources follow the table, 1 with one line per violation
(`file:line: layer 'a' includes 'x/...' but may only use: ...`), 2 when the table itself or the
command line is wrong. CTest runs it as `layering` (on src/) and `layering_negative` (on a
fixture tree that must be rejected).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SOURCE_SUFFIXES = {".hpp", ".cpp", ".h", ".cc"}
HEADER_SUFFIXES = {".hpp", ".h"}
# A quoted include; angle-bracket includes are system and third-party headers.
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
ENTRY_RE = re.compile(r"\brrtc_layer\s*\(([^)]*)\)")
KEYWORDS = {"FOLDER", "PUBLIC", "PRIVATE"}


class TableError(Exception):
    pass


@dataclass
class Library:
    name: str
    folder: str
    public: list[str] = field(default_factory=list)
    private: list[str] = field(default_factory=list)


@dataclass
class Folder:
    """What the files of one src/ folder may include, as folder names in table order."""

    name: str
    allowed: list[str]
    public: list[str]


def parse_table(text: str) -> list[Library]:
    """Reads the rrtc_layer(...) entries of cmake/layers.cmake, with the checks the build makes."""
    text = re.sub(r"#[^\n]*", "", text)  # CMake line comments
    libraries: dict[str, Library] = {}
    for match in ENTRY_RE.finditer(text):
        words = match.group(1).split()
        if not words or words[0] in KEYWORDS:
            raise TableError(f"rrtc_layer({match.group(1).strip()}): the first word names the library")
        lib = Library(name=words[0], folder=words[0])
        where = f"rrtc_layer({lib.name})"
        if lib.name in libraries:
            raise TableError(f"{where}: '{lib.name}' is listed twice")
        section = None
        folder_words: list[str] = []
        for word in words[1:]:
            if word in KEYWORDS:
                section = word
            elif section == "FOLDER":
                folder_words.append(word)
            elif section in ("PUBLIC", "PRIVATE"):
                if word == lib.name:
                    raise TableError(f"{where}: a library does not list itself")
                if word not in libraries:
                    raise TableError(f"{where}: '{word}' is not listed above '{lib.name}'")
                (lib.public if section == "PUBLIC" else lib.private).append(word)
            else:
                raise TableError(f"{where}: unexpected word '{word}'")
        if len(folder_words) > 1:
            raise TableError(f"{where}: FOLDER takes one folder")
        if folder_words:
            lib.folder = folder_words[0]
        both = set(lib.public) & set(lib.private)
        if both:
            raise TableError(f"{where}: {', '.join(sorted(both))} both PUBLIC and PRIVATE")
        libraries[lib.name] = lib
    if not libraries:
        raise TableError("no rrtc_layer(...) entry found")
    return list(libraries.values())


def folders_of(libraries: list[Library]) -> dict[str, Folder]:
    """Merges the libraries that share a folder (signaling_core and signaling)."""
    folder_of = {lib.name: lib.folder for lib in libraries}
    order = {}
    for lib in libraries:
        order.setdefault(lib.folder, len(order))
    folders: dict[str, Folder] = {}
    for lib in libraries:
        f = folders.setdefault(lib.folder, Folder(lib.folder, [], []))
        for dep in lib.public + lib.private:
            d = folder_of[dep]
            if d != lib.folder and d not in f.allowed:
                f.allowed.append(d)
        for dep in lib.public:
            d = folder_of[dep]
            if d != lib.folder and d not in f.public:
                f.public.append(d)
    for f in folders.values():
        f.allowed.sort(key=order.__getitem__)
        f.public.sort(key=order.__getitem__)
    return folders


def listing(names: list[str]) -> str:
    return " ".join(names) if names else "(no layer of ours)"


def check_file(path: Path, shown: str, folder: Folder, known: set[str], src: Path) -> list[str]:
    violations = []
    is_header = path.suffix in HEADER_SUFFIXES
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        match = INCLUDE_RE.match(line)
        if not match:
            continue
        target = match.group(1)
        where = f"{shown}:{number}"
        if ".." in Path(target).parts:
            violations.append(
                f"{where}: layer '{folder.name}' includes '{target}' by a relative path out of "
                f"its folder; include another layer's header as \"<layer>/file.hpp\"")
            continue
        if "/" not in target:
            continue  # a file beside this one, or a third-party header in quotes
        layer = target.split("/", 1)[0]
        if layer == folder.name:
            continue
        if layer not in known:
            if (src / layer).is_dir():
                violations.append(
                    f"{where}: layer '{folder.name}' includes '{target}', but '{layer}' has no "
                    f"entry in cmake/layers.cmake")
            continue  # not one of our layers
        if layer not in folder.allowed:
            violations.append(
                f"{where}: layer '{folder.name}' includes '{target}' but may only use: "
                f"{listing(folder.allowed)}")
        elif is_header and layer not in folder.public:
            violations.append(
                f"{where}: header of layer '{folder.name}' includes '{target}', which users of "
                f"'{folder.name}' do not see; its headers may only use (PUBLIC): "
                f"{listing(folder.public)}")
    return violations


def check_tree(src: Path, folders: dict[str, Folder]) -> tuple[list[str], int]:
    """Returns the violations under src/ and the number of files checked."""
    violations: list[str] = []
    checked = 0
    known = set(folders)
    base = src.parent
    for directory in sorted(p for p in src.iterdir() if p.is_dir()):
        files = sorted(p for p in directory.rglob("*")
                       if p.is_file() and p.suffix in SOURCE_SUFFIXES)
        if not files:
            continue
        folder = folders.get(directory.name)
        if folder is None:
            violations.append(
                f"{directory.relative_to(base)}: folder has sources but no entry in "
                f"cmake/layers.cmake")
            continue
        for path in files:
            checked += 1
            violations += check_file(path, str(path.relative_to(base)), folder, known, src)
    return violations, checked


def markdown(libraries: list[Library]) -> str:
    rows = ["| library | folder | its headers may use (PUBLIC) | only its sources use (PRIVATE) |",
            "|---|---|---|---|"]
    for lib in libraries:
        rows.append(f"| {lib.name} | src/{lib.folder} | {', '.join(lib.public) or '-'} | "
                    f"{', '.join(lib.private) or '-'} |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", type=Path, default=root / "cmake" / "layers.cmake",
                        help="the layering table (default: cmake/layers.cmake)")
    parser.add_argument("--src", type=Path, default=root / "src",
                        help="the tree of layer folders to check (default: src/)")
    parser.add_argument("--markdown", action="store_true",
                        help="print the table as Markdown (for docs) and check nothing")
    args = parser.parse_args(argv)

    try:
        libraries = parse_table(args.table.read_text(encoding="utf-8"))
    except (OSError, TableError) as error:
        print(f"{args.table}: {error}", file=sys.stderr)
        return 2
    if args.markdown:
        print(markdown(libraries))
        return 0
    if not args.src.is_dir():
        print(f"{args.src}: not a folder", file=sys.stderr)
        return 2

    violations, checked = check_tree(args.src.resolve(), folders_of(libraries))
    for line in violations:
        print(line)
    if violations:
        print(f"{len(violations)} layering violation(s) in {checked} files; the allowed "
              f"dependencies are in {args.table}", file=sys.stderr)
        return 1
    print(f"{checked} files under {args.src} follow {args.table}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
