"""`lab`: the way into the lab. One module per command; this file only dispatches."""

from __future__ import annotations

import argparse
import sys

from lab.settings import LabSettings, SettingsError
from lab.topology import BY_NAME


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run one service in the foreground")
    serve.add_argument("name", choices=sorted(BY_NAME))
    args = parser.parse_args(argv)
    try:
        settings = LabSettings.from_env()
    except SettingsError as e:
        sys.exit(f"lab: {e}")
    if args.command == "serve":
        from lab.serve import serve as run

        run(args.name, settings)
