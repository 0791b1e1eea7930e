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
what A then refuses. Standard library only (with scripts/checklib.py): a missing mail is a Failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checklib  # noqa: E402
from checklib import call, check  # noqa: E402

PASSWORD = "Sturdy-Lantern-8412"
NEW_PASSWORD = "Quiet-Harbor-5937"


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
            port = checklib.free_port()
            env = checklib.demo_environment({
                "DATABASE_URL": database_url, "SECRET_KEY": "cross-instance-check-secret-key-0123456789",
                "PBKDF2_ITERATIONS": "10000", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port),
                "ACCOUNT_EMAIL_VERIFICATION": "mandatory", "ACCOUNT_RATE_LIMITS": "false", **settings,
            })
            log = open(os.path.join(workdir, f"{name}.log"), "a")
            self.processes.append(subprocess.Popen(
                [demo, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True))
            self.bases.append(f"http://127.0.0.1:{port}")
        for base in self.bases:
            checklib.wait_http(base + "/health", self.processes, 180, f"an instance (logs in {workdir})")

    def stop(self):
        for process in self.processes:
            checklib.stop(process, timeout=30)


def token_and_session(a, b, sink):
    user, address = "crossa", "crossa@example.com"
    status, body, _ = call(a, "POST", "registration/", {
        "username": user, "email": address, "password1": PASSWORD, "password2": PASSWORD})
    check(status == 201, f"sign-up on A ({status} {body})")
    found = sink.match(address, re.compile(r"/account-confirm-email/([^/\s]+)/"), last=True)
    status, body, _ = call(b, "POST", "registration/verify-email/", {"key": found.group(1)})
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
    found = sink.match(address, re.compile(r"/password-reset/confirm/([^/\s]+)/([^/\s]+)/"), after=before, last=True)
    uid, reset = found.group(1), found.group(2)
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
    sink = checklib.SmtpSink()
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
    if checklib.failures:
        print(f"{len(checklib.failures)} checks failed; the instances' logs are in {workdir}")
        sys.exit(1)
    print("two instances on one database: every credential and revocation holds on both")


if __name__ == "__main__":
    main()
