#!/usr/bin/env python3
"""Verify a signed request; print "ok KEY_ID" (exit 0) or the failure's status name (exit 1).

    SECRET=s3cret python3 verify.py --scheme hopnow --key-id k1 --secret-env SECRET \\
        --method POST --url https://api.example.com/v1/pay --body-file body.json \\
        --header "X-API-Key: k1" --header "X-Signature: ..." ...

Headers come from --header (repeatable) and/or --headers-file (a "Name: value" block; - for
stdin), so that `sign.py ... | verify.py ... --headers-file -` or `signwire sign ... |
verify.py ... --headers-file -` chains two languages. Exit 2 on usage or input errors.
"""

import sys

import _common

import signwire


def main() -> int:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--header", action="append", default=[], metavar="'Name: value'")
    p.add_argument("--headers-file", metavar="PATH", help="a header block, or - for stdin")
    p.add_argument("--now", type=int, help="unix seconds to verify at (default: now)")
    p.add_argument("--remote-addr", help="client IP, for an IP allowlist")
    args = p.parse_args()
    if args.headers_file == "-" and args.body_file == "-":
        p.error("--headers-file and --body-file cannot both read stdin")
    lines = list(args.header)
    if args.headers_file:
        text = sys.stdin.read() if args.headers_file == "-" else open(args.headers_file, encoding="utf-8").read()
        lines += text.splitlines()
    headers = []
    for line in lines:
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            p.error(f"header {line!r} is not 'Name: value'")
        headers.append((name.strip(), value.strip()))
    try:
        with signwire.Verifier(args.scheme, keys={args.key_id: _common.secret(args)}) as verifier:
            key_id = verifier.verify(
                args.method, args.url, headers, _common.body(args), remote_addr=args.remote_addr, now=args.now
            )
    except signwire.VerificationError as e:
        print(e.name)
        print(f"verify.py: {e.message}", file=sys.stderr)
        return 1
    except (signwire.SignwireError, ValueError, TypeError) as e:
        print(getattr(e, "name", type(e).__name__))
        print(f"verify.py: {e}", file=sys.stderr)
        return 2
    print(f"ok {key_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
