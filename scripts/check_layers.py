#!/usr/bin/env python3
"""Checks that every source file under src/<layer>/ includes only the layers it may use.

The allowed dependencies come from the one layering table, cmake/layers.cmake (the build reads
the same file; nothing here repeats it). For each .hpp/.cpp under src/<folder>/, every
`#include "x/..."` must name the folder itself or a layer that the folder's libraries list
there, and must not climb out of the folder by a relative path. A header that another folder
reaches (directly or through the same folder's headers) may only name the PUBLIC ones, because
whoever links the library sees its headers but not its PRIVATE dependencies; a header only its
own folder includes is internal and may use the PRIVATE ones too.

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
            raise TableError(
                f"rrtc_layer({match.group(1).strip()}): the first word names the library")
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


@dataclass
class Include:
    line: int
    target: str  # as written between the quotes


def read_includes(path: Path) -> list[Include]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [Include(number, match.group(1))
            for number, line in enumerate(text.splitlines(), start=1)
            if (match := INCLUDE_RE.match(line))]


def resolve(src: Path, path: Path, target: str) -> str | None:
    """The src/-relative name ("room/router.hpp") of an include of ours, None for others."""
    if "/" in target and (src / target).is_file():
        return target
    beside = path.parent / target  # "x.hpp" next to the including file
    if "/" not in target and beside.is_file():
        return str(beside.relative_to(src))
    return None


def exposed_headers(src: Path, files: dict[str, list[Include]]) -> dict[str, str]:
    """Headers another folder includes, directly or through the same folder's headers: the
    interface of their layer, whose users must see everything they include. Maps each to the
    `file:line` that first reaches it. A header only its own folder includes is internal."""
    exposed: dict[str, str] = {}
    queue: list[str] = []
    for name, includes in files.items():
        folder = name.split("/", 1)[0]
        for inc in includes:
            target = resolve(src, src / name, inc.target)
            if target and target.split("/", 1)[0] != folder and target not in exposed:
                exposed[target] = f"src/{name}:{inc.line}"
                queue.append(target)
    while queue:
        header = queue.pop()
        folder = header.split("/", 1)[0]
        for inc in files.get(header, []):
            target = resolve(src, src / header, inc.target)
            if target and target.split("/", 1)[0] == folder and target not in exposed:
                exposed[target] = exposed[header]
                queue.append(target)
    return exposed


def check_file(name: str, includes: list[Include], folder: Folder, known: set[str], src: Path,
               exposed: dict[str, str]) -> list[str]:
    violations = []
    reached_from = exposed.get(name) if Path(name).suffix in HEADER_SUFFIXES else None
    for inc in includes:
        target = inc.target
        where = f"src/{name}:{inc.line}"
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
        elif reached_from and layer not in folder.public:
            violations.append(
                f"{where}: header of layer '{folder.name}' includes '{target}', which users of "
                f"'{folder.name}' do not see ({reached_from} reaches this header); its headers "
                f"may only use (PUBLIC): {listing(folder.public)}")
    return violations


def check_tree(src: Path, folders: dict[str, Folder]) -> tuple[list[str], int]:
    """Returns the violations under src/ and the number of files checked."""
    violations: list[str] = []
    files: dict[str, list[Include]] = {}
    for directory in sorted(p for p in src.iterdir() if p.is_dir()):
        paths = sorted(p for p in directory.rglob("*")
                       if p.is_file() and p.suffix in SOURCE_SUFFIXES)
        if paths and directory.name not in folders:
            violations.append(
                f"src/{directory.name}: folder has sources but no entry in cmake/layers.cmake")
            continue
        for path in paths:
            files[str(path.relative_to(src))] = read_includes(path)
    exposed = exposed_headers(src, files)
    known = set(folders)
    for name, includes in files.items():
        folder = folders[name.split("/", 1)[0]]
        violations += check_file(name, includes, folder, known, src, exposed)
    violations.sort(key=violation_order)
    return violations, len(files)


def violation_order(line: str) -> tuple[str, int]:
    """By file, then by line number (numerically)."""
    location = line.split(": ", 1)[0]
    path, _, number = location.partition(":")
    return path, int(number) if number.isdigit() else 0


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
