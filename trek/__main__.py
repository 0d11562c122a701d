"""Command line: ``python -m trek progress`` (and its export / import / reset)."""

from __future__ import annotations

import argparse
import sys

from trek import progress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trek", description="Backend Trek helper")
    commands = parser.add_subparsers(dest="command", required=True)
    prog = commands.add_parser("progress", help="show, export or import your progress")
    prog.add_argument("--export", metavar="FILE", help="write your progress to FILE")
    prog.add_argument("--import", dest="import_", metavar="FILE", help="merge progress from FILE")
    prog.add_argument("--reset", action="store_true", help="forget all progress")
    args = parser.parse_args(argv)

    if args.command == "progress":
        if args.export:
            try:
                print(f"Progress written to {progress.export(args.export)}")
            except OSError as exc:
                print(f"Could not export progress: {exc}", file=sys.stderr)
                return 1
        elif args.import_:
            try:
                count = progress.import_(args.import_)
            except (OSError, ValueError) as exc:
                print(f"Could not import progress: {exc}", file=sys.stderr)
                return 1
            print(f"Merged {count} exercises from {args.import_}")
        elif args.reset:
            progress.reset()
            print("Progress reset.")
        print(progress.table_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
