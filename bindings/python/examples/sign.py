#!/usr/bin/env python3
"""Sign a request and print its authentication headers, one "Name: value" per line.

    SECRET=s3cret python3 sign.py --scheme hopnow --key-id k1 --secret-env SECRET \\
        --method POST --url https://api.example.com/v1/pay --body-file body.json

Same flags and output as `signwire sign`, so either can feed the other's verifier
(`verify.py --headers-file -`, `signwire verify --header ...`, the C and PHP examples).
"""

import sys

import _common

import signwire


def main() -> int:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--timestamp", type=int, help="unix seconds (default: now)")
    p.add_argument("--nonce", help="hex nonce (default: a fresh random one)")
    p.add_argument("--explain", action="store_true", help="also print the signed payload to stderr")
    args = p.parse_args()
    try:
        with signwire.Signer(args.scheme, key_id=args.key_id, secret=_common.secret(args)) as signer:
            body = _common.body(args)
            if args.explain:
                e = signer.explain(args.method, args.url, body, timestamp=args.timestamp, nonce=args.nonce)
                print(e, file=sys.stderr)
                headers = e.headers
            else:
                headers = signer.sign(args.method, args.url, body, timestamp=args.timestamp, nonce=args.nonce)
    except (signwire.SignwireError, ValueError, TypeError) as e:
        print(f"sign.py: {e}", file=sys.stderr)
        return 2
    for name, value in headers.items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
