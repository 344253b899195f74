"""Argument handling shared by sign.py and verify.py (same flags as the `signwire` CLI)."""

import argparse
import os
import sys
from pathlib import Path

# Run from a checkout without installing: use the package beside these examples.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scheme", default="hopnow", help="preset name or path to a JSON scheme document")
    p.add_argument("--key-id", required=True)
    secret = p.add_mutually_exclusive_group(required=True)
    secret.add_argument("--secret-env", metavar="VAR", help="environment variable holding the secret")
    secret.add_argument("--secret-file", metavar="PATH", help="file holding the secret (one trailing newline ignored)")
    p.add_argument("--method", required=True)
    p.add_argument("--url", required=True, help="the complete URL, exactly as sent")
    p.add_argument("--body-file", metavar="PATH", help="request body file, or - for stdin")
    return p


def secret(args: argparse.Namespace) -> bytes:
    # Secrets never come from the command line, where ps and shell history would show them.
    if args.secret_env:
        value = os.environb.get(args.secret_env.encode())
        if value is None:
            sys.exit(f"environment variable {args.secret_env} is not set")
        return value
    data = Path(args.secret_file).read_bytes()
    if data.endswith(b"\n"):
        data = data[:-1]
        if data.endswith(b"\r"):
            data = data[:-1]
    return data


def body(args: argparse.Namespace) -> bytes:
    if not args.body_file:
        return b""
    if args.body_file == "-":
        return sys.stdin.buffer.read()
    return Path(args.body_file).read_bytes()
