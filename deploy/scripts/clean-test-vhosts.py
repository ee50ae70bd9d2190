#!/usr/bin/env python3
"""Delete leftover ``nameko_test_*`` vhosts (killed test runs leave them behind).

    python deploy/scripts/clean-test-vhosts.py [--all] [--prefix nameko_test_]

Uses the RabbitMQ management API at $LINLI_RABBIT_MANAGEMENT_URI
(default http://guest:guest@127.0.0.1:15672). By default a vhost that still has client
connections is left alone, so a test run going on beside this one keeps its vhosts;
--all deletes them regardless. Standard library only.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="nameko_test_")
    parser.add_argument("--all", action="store_true", help="also delete vhosts in use")
    args = parser.parse_args()

    uri = os.environ.get("LINLI_RABBIT_MANAGEMENT_URI", "http://guest:guest@127.0.0.1:15672")
    parts = urllib.parse.urlsplit(uri)
    base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}{parts.path.rstrip('/')}"
    user = urllib.parse.unquote(parts.username or "guest")
    password = urllib.parse.unquote(parts.password or "guest")
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def call(method: str, path: str):
        request = urllib.request.Request(base + path, method=method, headers={"Authorization": auth})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    try:
        vhosts = [v["name"] for v in call("GET", "/api/vhosts?columns=name")]
        in_use = set()
        if not args.all:
            in_use = {c.get("vhost") for c in call("GET", "/api/connections?columns=vhost")}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"clean-test-vhosts: management API {base} not usable: {exc}", file=sys.stderr)
        return 1

    stale = [v for v in vhosts if v.startswith(args.prefix) and v not in in_use]
    kept = [v for v in vhosts if v.startswith(args.prefix) and v in in_use]
    failed = 0
    for name in stale:
        try:
            call("DELETE", "/api/vhosts/" + urllib.parse.quote(name, safe=""))
        except urllib.error.HTTPError as exc:
            if exc.code != 404:  # already gone: fine
                failed += 1
                print(f"clean-test-vhosts: could not delete {name}: {exc}", file=sys.stderr)
    if stale or kept:
        note = f", kept {len(kept)} in use" if kept else ""
        print(f"clean-test-vhosts: deleted {len(stale) - failed} leftover vhost(s){note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
