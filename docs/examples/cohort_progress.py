#!/usr/bin/env python3
"""List a Pelita cohort's progress through the API and export it as CSV (docs/api.md).

Standard library only. Usage:

    export PELITA_TOKEN=pelita_...          # a token with the read scope (profile page)
    python3 cohort_progress.py https://pelita.example.id            # lists your cohorts
    python3 cohort_progress.py https://pelita.example.id 12 -o angkatan-12.csv

The token belongs to a trainer of the cohort (or an admin). Pages are followed through their
`next` links; a 429 is waited out and retried.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import urllib.error
import urllib.request


class ApiError(Exception):
    def __init__(self, status: int, body: dict):
        error = body.get("error") or {}
        super().__init__(f"{status} {error.get('code')}: {error.get('message')}")
        self.status = status


def get(url: str, token: str, opener=urllib.request.urlopen) -> dict:
    """GET one API URL as JSON, waiting out the rate limit."""
    request = urllib.request.Request(url, headers={  # noqa: S310 - http(s) only: main() checks
        "Authorization": f"Bearer {token}", "Accept": "application/json",
        "Accept-Language": "id"})
    for _attempt in range(5):
        try:
            with opener(request) as response:
                return json.load(response)
        except urllib.error.HTTPError as err:
            body = json.load(err) if err.headers.get_content_type() == "application/json" else {}
            if err.code == 429:
                time.sleep(int(err.headers.get("Retry-After") or 30))
                continue
            raise ApiError(err.code, body) from None
    raise ApiError(429, {"error": {"code": "rate_limited", "message": "still limited"}})


def every_item(url: str, token: str, opener=urllib.request.urlopen):
    """The items of a list, page after page."""
    while url:
        page = get(url, token, opener)
        yield from page["items"]
        url = page["next"]


def cohort_rows(base: str, token: str, cohort_id: int, opener=urllib.request.urlopen):
    """(header, rows): one row per member, a percent and a completed flag per course."""
    members = list(every_item(f"{base}/api/v1/cohorts/{cohort_id}/members?per_page=100",
                              token, opener))
    courses = [c["course"] for c in members[0]["courses"]] if members else []
    header = ["name", "email", "library", "province", "regency"]
    for course in courses:
        header += [f"{course} %", f"{course} completed"]
    rows = []
    for m in members:
        row = [m["name"], m["email"], m["library_name"] or "", m["province_code"] or "",
               m["regency_code"] or ""]
        for c in m["courses"]:
            row += [c["progress"]["percent"], "yes" if c["progress"]["completed"] else "no"]
        rows.append(row)
    return header, rows


def main(argv=None, opener=urllib.request.urlopen, out=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="e.g. https://pelita.example.id")
    parser.add_argument("cohort_id", nargs="?", type=int, help="without it: list your cohorts")
    parser.add_argument("-o", "--output", help="CSV file (default: standard output)")
    args = parser.parse_args(argv)
    token = os.environ.get("PELITA_TOKEN")
    if not token:
        parser.error("set PELITA_TOKEN to an access token (profile page, scope read)")
    base = args.base_url.rstrip("/")
    if not base.startswith(("https://", "http://")):
        parser.error("the address starts with https:// (or http:// on a local network)")
    out = out or sys.stdout
    try:
        if args.cohort_id is None:
            for c in every_item(f"{base}/api/v1/cohorts", token, opener):
                print(f"{c['id']}\t{c['name']}\t{c['members']} members", file=out)
            return 0
        header, rows = cohort_rows(base, token, args.cohort_id, opener)
    except ApiError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.output:
        # UTF-8 with a BOM, so spreadsheet programs read the names right.
        with open(args.output, "w", newline="", encoding="utf-8-sig") as f:
            csv.writer(f).writerows([header, *rows])
    else:
        csv.writer(out).writerows([header, *rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
