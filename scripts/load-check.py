#!/usr/bin/env python3
"""Load check for several instances behind one address: concurrent sign-ups (with
racing duplicates) and many logins, then checks that nothing was lost.

    scripts/load-check.py http://127.0.0.1:8000 [--signups 200] [--logins 2000] [--psql URL]
        [--instances 2]

The sign-ups are all sent at once (one thread each); the logins from --threads threads.
Passes when every sign-up that got 201 can log in, every racing duplicate got exactly
one 201, no request got a 5xx, (with --psql) the database holds no duplicate username,
verified address or token, and (with --instances N) the answers came from at least N
instances, by the X-Upstream header scripts/cluster.sh's nginx adds. Standard library only.
"""
import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Lock

PASSWORD = "Sturdy-Lantern-8412"
UPSTREAMS = {}
UPSTREAMS_LOCK = Lock()


def count_upstream(headers):
    upstream = headers.get("X-Upstream")
    if upstream:
        with UPSTREAMS_LOCK:
            UPSTREAMS[upstream] = UPSTREAMS.get(upstream, 0) + 1


def post(base, path, body):
    request = urllib.request.Request(
        base + "/dj-rest-auth/" + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            count_upstream(response.headers)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        count_upstream(error.headers)
        text = error.read()
        try:
            return error.code, json.loads(text or b"{}")
        except ValueError:
            return error.code, {"raw": text.decode(errors="replace")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--signups", type=int, default=200)
    parser.add_argument("--logins", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=32, help="login threads")
    parser.add_argument("--instances", type=int, default=0, help="instances that must have answered")
    parser.add_argument("--psql", help="PostgreSQL URL of the database, to look for duplicates")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    run = uuid.uuid4().hex[:6]
    failures = []

    # Sign-ups: distinct users, plus pairs racing for one username (differing in case).
    # (Addresses are not raced: dj-rest-auth lets two accounts hold one address until it
    # is verified; verified addresses are checked in the database below.)
    distinct = [f"load{run}u{i}" for i in range(args.signups)]
    jobs = [(name, f"{name}@example.com") for name in distinct]
    races = max(1, args.signups // 10)
    for i in range(races):
        name = f"race{run}n{i}"
        jobs += [(name, f"{name}.a@example.com"), (name.upper(), f"{name}.b@example.com")]

    def sign_up(job):
        username, email = job
        return job, post(base, "registration/", {
            "username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD})

    started = time.time()
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(sign_up, jobs))
    signup_seconds = time.time() - started
    created = []
    by_status = {}
    for (username, email), (status, body) in results:
        by_status[status] = by_status.get(status, 0) + 1
        if status >= 500:
            failures.append(f"sign-up {username}: {status} {body}")
        elif status == 201:
            created.append(username)
        elif not username.lower().startswith("race"):
            failures.append(f"sign-up {username}: {status} {body}")
    for i in range(races):
        won = [u for u in created if u.lower() == f"race{run}n{i}"]
        if len(won) != 1:
            failures.append(f"username race {i}: {len(won)} sign-ups succeeded")

    # Logins, spread over every created user.
    logins = [created[i % len(created)] for i in range(args.logins)]

    def log_in(username):
        return username, post(base, "login/", {"username": username, "password": PASSWORD})

    started = time.time()
    with ThreadPoolExecutor(args.threads) as pool:
        login_results = list(pool.map(log_in, logins))
    login_seconds = time.time() - started
    logged_in = set()
    for username, (status, body) in login_results:
        by_status[status] = by_status.get(status, 0) + 1
        if status == 200 and (body.get("key") or body.get("access")):
            logged_in.add(username)
        else:
            failures.append(f"login {username}: {status} {body}")
    missing = set(created) - logged_in
    if missing:
        failures.append(f"{len(missing)} created users never logged in: {sorted(missing)[:5]}")

    if args.psql:
        queries = {
            "usernames": "SELECT count(*) FROM (SELECT lower(username) FROM auth_user GROUP BY 1 HAVING count(*) > 1) d",
            "verified addresses": "SELECT count(*) FROM (SELECT lower(email) FROM account_emailaddress WHERE verified GROUP BY 1 HAVING count(*) > 1) d",
            "tokens": "SELECT count(*) FROM (SELECT user_id FROM authtoken_token GROUP BY 1 HAVING count(*) > 1) d",
        }
        for name, query in queries.items():
            out = subprocess.run(["psql", args.psql, "-tAc", query], capture_output=True, text=True, check=True)
            if out.stdout.strip() != "0":
                failures.append(f"duplicate {name} in the database: {out.stdout.strip()}")

    if len(UPSTREAMS) < args.instances:
        failures.append(f"answers came from {len(UPSTREAMS)} instances, not {args.instances}: {UPSTREAMS}")

    print(f"sign-ups: {len(jobs)} concurrent requests ({len(created)} created) in {signup_seconds:.1f}s; "
          f"logins: {len(logins)} in {login_seconds:.1f}s ({len(logins) / login_seconds:.0f}/s); "
          f"statuses: {dict(sorted(by_status.items()))}; answers per instance: {dict(sorted(UPSTREAMS.items()))}")
    for failure in failures[:20]:
        print("FAIL", failure)
    if failures:
        print(f"{len(failures)} failures")
        sys.exit(1)
    print("load check passed")


if __name__ == "__main__":
    main()
