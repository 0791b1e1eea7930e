#!/usr/bin/env python3
"""Mean latency of the routes that look users up, on two demo servers seeded with
different numbers of users.

usage: users.py COUNT PASSWORD BASE_URL SEEDED [BASE_URL SEEDED ...]
Seeded users are seed1..seedN with seedK@example.com (verified unless K % 4 == 0), all
with PASSWORD. Each route gets 10 warm-up requests per server, then COUNT timed ones per
server, one at a time and alternating between the servers, so that whatever else the
machine does slows both alike. Prints "route<TAB>mean ms<TAB>mean ms..." per route.
With BENCH_MFA=1 (the servers run with REST_AUTH_MFA_ENABLED) seed2 turns TOTP on, and
the first login step of that user and mfa/verify/ with a wrong code are timed too.
With BENCH_PASSKEYS=1 (the servers run with REST_AUTH_PASSKEYS_ENABLED, RP ID localhost,
origin http://localhost:3000) seed3 registers a passkey on the conformance suite's software
authenticator (its cryptography and cbor2: run with that venv's Python), and passkeys/login/begin/
(anyone, and a seeded username) and a whole passkey sign-in (begin, then complete) are timed.
"""
import base64
import hashlib
import hmac
import os
import struct
import http.client
import json
import random
import sys
import time
import urllib.parse
import uuid

count, password = int(sys.argv[1]), sys.argv[2]
servers = []
for base, seeded in zip(sys.argv[3::2], sys.argv[4::2]):
    url = urllib.parse.urlparse(base)
    servers.append({"conn": http.client.HTTPConnection(url.hostname, url.port, timeout=120), "seeded": int(seeded)})
rng = random.Random(1)
run = uuid.uuid4().hex[:6]
signups = iter(range(10**9))


def call(server, method, path, body=None, headers=None, expect=200):
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    server["conn"].request(method, "/dj-rest-auth/" + path, data, headers)
    response = server["conn"].getresponse()
    text = response.read()
    if response.status != expect:
        sys.exit(f"{method} {path} {body}: {response.status} {text[:200]!r}")
    return text


def seeded_user(server, verified=True):
    while True:
        k = rng.randint(1, server["seeded"])
        if (k % 4 != 0) == verified:
            return k


def timed(name, make):
    for server in servers:
        for _ in range(10):
            make(server)
    totals = [0.0] * len(servers)
    for _ in range(count):
        for i, server in enumerate(servers):
            start = time.perf_counter()
            make(server)
            totals[i] += time.perf_counter() - start
    print(name + "".join(f"\t{total / count * 1000:.2f}" for total in totals))
    sys.stdout.flush()


def signup(server):
    name = f"new{run}x{next(signups)}"
    call(server, "POST", "registration/",
         {"username": name, "email": f"{name}@example.com", "password1": password, "password2": password},
         expect=201)


for server in servers:
    server["key"] = json.loads(call(server, "POST", "login/", {"username": "seed1", "password": password}))["key"]

timed("login by username", lambda s: call(
    s, "POST", "login/", {"username": f"seed{seeded_user(s)}", "password": password}))
timed("login by e-mail", lambda s: call(
    s, "POST", "login/", {"email": f"Seed{seeded_user(s)}@Example.COM", "password": password}))
timed("password/reset/", lambda s: call(s, "POST", "password/reset/", {"email": f"SEED{seeded_user(s)}@example.com"}))
timed("registration/resend-email/", lambda s: call(
    s, "POST", "registration/resend-email/", {"email": f"Seed{seeded_user(s, False)}@example.com"}))
timed("sign-up", signup)
timed("token GET user/", lambda s: call(s, "GET", "user/", headers={"Authorization": f"Token {s['key']}"}))

if os.environ.get("BENCH_MFA") == "1":
    def totp(secret):
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        mac = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
        offset = mac[-1] & 0x0F
        return str((int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10 ** 6).zfill(6)

    for server in servers:
        key = json.loads(call(server, "POST", "login/", {"username": "seed2", "password": password}))["key"]
        offer = json.loads(call(server, "GET", "mfa/totp/activate/", headers={"Authorization": f"Token {key}"}))
        call(server, "POST", "mfa/totp/activate/", {"activation_token": offer["activation_token"],
                                                    "code": totp(offer["secret"])},
             headers={"Authorization": f"Token {key}"})
        server["ephemeral"] = json.loads(call(server, "POST", "login/", {"username": "seed2", "password": password}))[
            "ephemeral_token"]

    timed("login, MFA user's first step", lambda s: call(
        s, "POST", "login/", {"username": "seed2", "password": password}))
    timed("mfa/verify/ (wrong code)", lambda s: call(
        s, "POST", "mfa/verify/", {"ephemeral_token": s["ephemeral"], "code": "000000"}, expect=400))


if os.environ.get("BENCH_PASSKEYS") == "1":
    sys.path.insert(0, os.path.join(os.environ.get("SHARED", os.path.join(os.path.dirname(__file__), "../../../shared")),
                                    "conformance"))
    from webauthn_authenticator import Authenticator

    origin = "http://localhost:3000"
    for server in servers:
        auth = {"Authorization": "Token " + json.loads(
            call(server, "POST", "login/", {"username": "seed3", "password": password}))["key"]}
        options = json.loads(call(server, "POST", "passkeys/register/begin/", {}, headers=auth))
        server["authn"] = Authenticator()
        call(server, "POST", "passkeys/register/complete/", {"credential": server["authn"].create(options, origin).body},
             headers=auth, expect=201)

    def passkey_login(server):
        options = json.loads(call(server, "POST", "passkeys/login/begin/", {}))
        call(server, "POST", "passkeys/login/complete/",
             {"credential": server["authn"].get(options, origin), "session_id": options["session_id"]})

    timed("passkeys/login/begin/", lambda s: call(s, "POST", "passkeys/login/begin/", {}))
    timed("passkeys/login/begin/ + username", lambda s: call(
        s, "POST", "passkeys/login/begin/", {"username": f"seed{seeded_user(s)}"}))
    timed("passkey sign-in (begin+complete)", passkey_login)
