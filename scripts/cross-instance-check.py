#!/usr/bin/env python3
"""Two demo instances on one PostgreSQL database: every credential one hands out is
honoured by the other, and every revocation one makes holds on the other.

    python3 scripts/cross-instance-check.py --demo .build/debug/RestAuthDemo \
        --admin-url postgres://postgres@127.0.0.1:5432/postgres

Recreates the database --db on that server and starts instances A and B on it, their
mail going to an SMTP sink of this script's. Token and session mode, mandatory e-mail
verification: sign-up on A, the confirmation key from the mail used on B, login on A,
its DRF token and its session (with CSRF) used on B, logout on B ending them for A, a
reset asked on B and confirmed on A, the new password on B. Then both again in JWT mode
with rotation and blacklisting: a refresh token from A rotated on B, the rotated-out
token replayed on A (refused, and with no reuse grace its family revoked on B too), a logout on B blacklisting
what A then refuses. Standard library only (the sink is scripts/browser-check.py's).
"""
import argparse
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("browser_check", os.path.join(HERE, "browser-check.py"))
browser_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(browser_check)

PASSWORD = "Sturdy-Lantern-8412"
NEW_PASSWORD = "Quiet-Harbor-5937"
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def call(base, method, path, body=None, headers=None):
    """One request; returns (status, body, response headers)."""
    data = None if body is None else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(base + "/dj-rest-auth/" + path, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text or b"null"), error.headers
        except ValueError:
            return error.code, text.decode(errors="replace")[:300], error.headers


def cookies(headers):
    jar = {}
    for line in headers.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


class Instances:
    """A and B on the same database, with the given settings."""

    def __init__(self, demo, database_url, sink, workdir, settings):
        self.processes = []
        self.bases = []
        for name in ("a", "b"):
            port = browser_check.free_port()
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("REST_AUTH_", "ACCOUNT_", "SOCIALACCOUNT_", "EMAIL_", "SIMPLE_JWT_"))}
            env.update({
                "DATABASE_URL": database_url, "SECRET_KEY": "cross-instance-check-secret-key-0123456789",
                "PBKDF2_ITERATIONS": "10000", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port),
                "ACCOUNT_EMAIL_VERIFICATION": "mandatory", "ACCOUNT_RATE_LIMITS": "false", **settings,
            })
            log = open(os.path.join(workdir, f"{name}.log"), "a")
            self.processes.append(subprocess.Popen(
                [demo, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True))
            self.bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(self.bases, self.processes):
            deadline = time.monotonic() + 180
            while True:
                try:
                    urllib.request.urlopen(base + "/health", timeout=1)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"an instance did not start; logs in {workdir}")
                    time.sleep(0.2)

    def stop(self):
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.processes:
            process.wait(timeout=30)


def latest_link(sink, address, pattern, after):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with sink.lock:
            found = [pattern.search(m["body"]) for m in sink.messages[after:] if address in m["to"]]
        found = [f for f in found if f]
        if found:
            return found[-1]
        time.sleep(0.1)
    return None


def token_and_session(a, b, sink):
    user, address = "crossa", "crossa@example.com"
    status, body, _ = call(a, "POST", "registration/", {
        "username": user, "email": address, "password1": PASSWORD, "password2": PASSWORD})
    check(status == 201, f"sign-up on A ({status} {body})")
    found = latest_link(sink, address, re.compile(r"/account-confirm-email/([^/\s]+)/"), 0)
    check(found is not None, "A mailed the confirmation key")
    status, body, _ = call(b, "POST", "registration/verify-email/", {"key": found.group(1) if found else ""})
    check(status == 200, f"B accepts the key A made ({status} {body})")

    status, body, headers = call(a, "POST", "login/", {"username": user, "password": PASSWORD})
    check(status == 200 and body.get("key"), f"login on A ({status} {body})")
    token = body.get("key", "")
    jar = cookies(headers)
    status, body, _ = call(b, "GET", "user/", headers={"Authorization": f"Token {token}"})
    check(status == 200 and body.get("username") == user, f"B honours A's DRF token ({status})")
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, body, _ = call(b, "PATCH", "user/", {"first_name": "Ada"}, headers={
        "Cookie": cookie, "X-CSRFToken": jar.get("csrftoken", ""), "Origin": b})
    check(status == 200 and body.get("first_name") == "Ada", f"B honours A's session and CSRF pair ({status} {body})")
    status, body, _ = call(b, "POST", "logout/", headers={"Authorization": f"Token {token}", "Cookie": cookie})
    check(status == 200, f"logout on B ({status})")
    status, _, _ = call(a, "GET", "user/", headers={"Authorization": f"Token {token}"})
    check(status == 401, f"A refuses the token B's logout deleted ({status})")
    status, _, _ = call(a, "GET", "user/", headers={"Cookie": cookie})
    check(status in (401, 403), f"A refuses the session B's logout ended ({status})")

    before = len(sink.messages)
    status, body, _ = call(b, "POST", "password/reset/", {"email": address})
    check(status == 200, f"reset asked on B ({status})")
    found = latest_link(sink, address, re.compile(r"/password-reset/confirm/([^/\s]+)/([^/\s]+)/"), before)
    check(found is not None, "B mailed the reset link")
    uid, reset = (found.group(1), found.group(2)) if found else ("", "")
    status, body, _ = call(a, "POST", "password/reset/confirm/", {
        "uid": uid, "token": reset, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    check(status == 200, f"A accepts the reset link B made ({status} {body})")
    status, body, _ = call(b, "POST", "password/reset/confirm/", {
        "uid": uid, "token": reset, "new_password1": PASSWORD, "new_password2": PASSWORD})
    check(status == 400, f"B refuses the link A used ({status} {body})")
    status, _, _ = call(b, "POST", "login/", {"username": user, "password": NEW_PASSWORD})
    check(status == 200, f"the new password logs in on B ({status})")


def jwt(a, b):
    user = "crossa"
    status, body, _ = call(a, "POST", "login/", {"username": user, "password": NEW_PASSWORD})
    check(status == 200 and body.get("refresh"), f"JWT login on A ({status})")
    first = body.get("refresh", "")
    status, body, _ = call(b, "POST", "token/refresh/", {"refresh": first})
    check(status == 200 and body.get("refresh"), f"B rotates A's refresh token ({status})")
    second, access = body.get("refresh", ""), body.get("access", "")
    status, _, _ = call(a, "GET", "user/", headers={"Authorization": f"Bearer {access}"})
    check(status == 200, f"A honours B's access token ({status})")
    status, body, _ = call(a, "POST", "token/refresh/", {"refresh": first})
    check(status == 401, f"A refuses the token B rotated out ({status} {body})")
    status, _, _ = call(b, "POST", "token/refresh/", {"refresh": second})
    check(status == 401, f"that replay on A revoked the family on B: the rotation's token is dead ({status})")

    status, body, _ = call(a, "POST", "login/", {"username": user, "password": NEW_PASSWORD})
    third, access = body.get("refresh", ""), body.get("access", "")
    status, _, _ = call(b, "POST", "logout/", {"refresh": third}, headers={"Authorization": f"Bearer {access}"})
    check(status == 200, f"JWT logout on B ({status})")
    status, _, _ = call(a, "POST", "token/refresh/", {"refresh": third})
    check(status == 401, f"A refuses the refresh token B blacklisted ({status})")
    status, _, _ = call(a, "GET", "user/", headers={"Authorization": f"Bearer {access}"})
    check(status == 401, f"A refuses the access token of the login B ended ({status})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", required=True)
    parser.add_argument("--admin-url", required=True, help="postgres://user@host:port/postgres")
    parser.add_argument("--db", default="restauth_cross")
    args = parser.parse_args()
    psql_admin = ["psql", args.admin_url, "-v", "ON_ERROR_STOP=1", "-qtA"]
    subprocess.run(psql_admin + ["-c", f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)", "-c",
                                 f"CREATE DATABASE {args.db}"], check=True)
    database_url = args.admin_url.rsplit("/", 1)[0] + "/" + args.db
    sink = browser_check.SmtpSink()
    sink.start()
    workdir = tempfile.mkdtemp(prefix="restauth-cross.")
    try:
        instances = Instances(args.demo, database_url, sink, workdir, {})
        try:
            token_and_session(*instances.bases, sink)
        finally:
            instances.stop()
        instances = Instances(args.demo, database_url, sink, workdir, {
            "REST_AUTH_USE_JWT": "true", "REST_AUTH_JWT_AUTH_HTTPONLY": "false",
            "SIMPLE_JWT_ROTATE_REFRESH_TOKENS": "true", "SIMPLE_JWT_BLACKLIST_AFTER_ROTATION": "true",
            "JWT_REFRESH_REUSE_GRACE": "0"})
        try:
            jwt(*instances.bases)
        finally:
            instances.stop()
    finally:
        sink.stop()
        subprocess.run(psql_admin + ["-c", f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)"], check=False)
    if failures:
        print(f"{len(failures)} checks failed; the instances' logs are in {workdir}")
        sys.exit(1)
    print("two instances on one database: every credential and revocation holds on both")


if __name__ == "__main__":
    main()
