"""Writes the seed corpus of each fuzz target (Fuzz/Corpus/<target>/). The sessions,
confirmation keys and JWTs are made by Django and PyJWT themselves:

    python3 -m venv /tmp/seeds && /tmp/seeds/bin/pip install django pyjwt
    /tmp/seeds/bin/python Fuzz/Corpus/make-seeds.py
"""

import os
import zlib

import jwt
from django.conf import settings

# The key FuzzSigner signs with (Fuzz/Sources/FuzzSigner/FuzzSigner.swift).
SECRET = "django-insecure-fuzz-secret-key-0123456789abcdefghijklmnop"
settings.configure(SECRET_KEY=SECRET)
from django.core import signing  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    os.makedirs(os.path.join(HERE, target), exist_ok=True)
    with open(os.path.join(HERE, target, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


json_seeds = {
    "login": '{"username": "alice", "email": "alice@example.com", "password": "s3cret!"}',
    "register": '{"username":"bob","email":"b@example.org","password1":"Pa55w0rd!x","password2":"Pa55w0rd!x"}',
    "nested": '[1, -2.5e-3, 1E+400, 12345678901234567890, true, false, null, {"a": [{}, []]}, "x"]',
    "escapes": r'{"s": "\u00e9\ud83d\ude00\ud800 \" \\ \/ \b\f\n\r\t", "k\u0000": "v"}',
    "duplicate": '{"a": 1, "a": 2, "b": {"c": {"d": {"e": [[[[]]]]}}}}',
    "utf8": '{"name": "Zoë Ünïcødé 日本語 🎉"}',
}
for name, text in json_seeds.items():
    write("FuzzJSON", name, text)

# FuzzForm: the first byte is the field limit (0: none).
write("FuzzForm", "login", b"\x00username=alice&password=s3cret%21&email=a%40example.com")
write("FuzzForm", "escapes", b"\x00a=%E2%82%AC+%zz%4&b=%ff%fe&c&=d&&e==f")
write("FuzzForm", "limit", b"\x02a=1&b=2&c=3")
write("FuzzForm", "csrf", b"\x10csrfmiddlewaretoken=abcDEF123&next=%2Fapi%2F&a=1&a=2")

session = {
    "_auth_user_id": "1",
    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
    "_auth_user_hash": "0" * 64,
}
sessions = "django.contrib.sessions.SessionStore"
signed_session = signing.dumps(session, salt=sessions, compress=True)
big_session = signing.dumps(dict(session, note="x" * 400), salt=sessions, compress=True)
confirmation = signing.dumps(42, salt="account")
# FuzzSigner: the first byte (mod 6) picks the mode.
write("FuzzSigner", "b64", b"\x00" + b"eyJfYXV0aF91c2VyX2lkIjoiMSJ9")
write("FuzzSigner", "b62", b"\x01" + b"1vXyZ9")
write("FuzzSigner", "zlib", b"\x02" + zlib.compress(b'{"note": "' + b"x" * 300 + b'"}'))
write("FuzzSigner", "session", b"\x03" + signed_session.encode())
write("FuzzSigner", "confirmation", b"\x03" + confirmation.encode())
write("FuzzSigner", "reset-token", b"\x03" + b"cnzl5k-3b1d8d09c6ab7a2e1f4a")
# Mode 4 signs the text itself: Django's value and timestamp, without its signature.
write("FuzzSigner", "session-unsigned", b"\x04" + signed_session.rsplit(":", 1)[0].encode())
write("FuzzSigner", "compressed-unsigned", b"\x04" + big_session.rsplit(":", 1)[0].encode())
write("FuzzSigner", "object", b"\x05" + b'{"_auth_user_id":"1"}')

write("FuzzSMTPReply", "greeting", b"\x00220 smtp.example.com ESMTP Postfix\r\n")
write("FuzzSMTPReply", "ehlo", b"\x07250-smtp.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n"
      b"250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
write("FuzzSMTPReply", "pending", b"\x2a220 ready\r\n250-first\n250-sec")
write("FuzzSMTPReply", "errors", b"\x03550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n354 go\r\n")

for name, text in {
    "plain": "alice@example.com",
    "tags": "a.b-c+tag@sub.domain.co.uk",
    "quoted": '"quoted \\"user\\""@example.org',
    "ipv4": "root@[192.168.0.1]",
    "ipv6": "root@[2001:db8::1]",
    "ipv6v4": "root@[::ffff:192.0.2.128]",
    "idn": "user@xn--bcher-kva.example",
    "unicode": "user@exämple.com",
    "localhost": "admin@localhost",
}.items():
    write("FuzzEmailAddress", name, text)

now = 1_800_000_000
claims = {"token_type": "access", "exp": now + 300, "iat": now, "jti": "4f1c" * 8, "user_id": "1"}
write("FuzzJWT", "pyjwt-hs256", jwt.encode(claims, "a-signing-key-of-thirty-two-bytes!", algorithm="HS256"))
write("FuzzJWT", "pyjwt-hs512", jwt.encode(dict(claims, token_type="refresh"), "k" * 64, algorithm="HS512"))
write("FuzzJWT", "alg-none", jwt.encode(claims, None, algorithm="none"))
write("FuzzJWT", "claims-object", '{"user_id":7,"exp":1800000300,"nested":{"a":[1,2.5,"x"]}}')

for name, data in {
    "host-port": b"Example.COM:8000\x00.example.com,localhost",
    "ipv6": b"[::1]:80\x00*",
    "ipv6-bare": b"[2001:DB8::1]\x00[2001:db8::1]",
    "trailing-dot": b"sub.example.com.\x00.example.com",
    "attack": b"localhost:@evil.example\x00localhost",
}.items():
    write("FuzzRequestHost", name, data)

for name, text in {
    "base36": "cnzl5k",
    "base36-max": "3w5e11264sgsf",
    "rules": "10/m/ip,5/300s/key, 5/m/user",
    "rule-fraction": "1/0.5h",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "uuid-hex": "123e4567e89b12d3a456426614174000",
    "int": "-9223372036854775808",
}.items():
    write("FuzzMisc", name, text)

# Stress inputs, each run once before fuzzing (scripts/fuzz-parsers.sh writes the large
# ones itself): a zlib bomb, 10 MB of zeros behind a signature, must stop at the limit.
os.makedirs(os.path.join(HERE, "..", "Stress", "FuzzSigner"), exist_ok=True)
with open(os.path.join(HERE, "..", "Stress", "FuzzSigner", "zlib-bomb"), "wb") as f:
    f.write(b"\x02" + zlib.compress(b"\0" * 10_000_000, 9))
with open(os.path.join(HERE, "..", "Stress", "FuzzSigner", "signed-zlib-bomb"), "wb") as f:
    payload = "." + signing.b64_encode(zlib.compress(b"\0" * 10_000_000, 9)).decode()
    f.write(b"\x04" + payload.encode() + b":" + signing.b62_encode(1_800_000_000).encode())
