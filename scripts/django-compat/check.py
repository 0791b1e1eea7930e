#!/usr/bin/env python3
"""An existing Django database, served unchanged by the demo server, and back.

Builds a PostgreSQL database with the reference Django project (dj-rest-auth 7.2,
allauth, simplejwt: `manage.py migrate`), fills it as a Django site would (users with
Django's hasher, DRF tokens, verified and unverified addresses, a social account),
starts the demo server on it and checks that Django's users log in with their
passwords, their tokens and Django sessions authenticate, unverified addresses stay
unverified, a reset link made by Django works, and the demo created only what was
missing. Then it starts the reference Django server on the same database, logs in the
users whose password the demo changed or reset, and follows a reset link the demo made.

MFA (dj-rest-auth's `dj_rest_auth.mfa`, REST_AUTH_MFA_ENABLED on both servers, one
SECRET_KEY) both ways on its table `dj_rest_auth_mfa_authenticator`: a user turns TOTP
on through the reference's API and then signs in on the demo with a TOTP code and with a
recovery code Django issued; another turns it on through the demo and signs in on Django,
which refuses the codes the demo spent.

Passkeys (dj-rest-auth's `dj_rest_auth.passkeys`, on both servers with RP ID localhost) both
ways on its table `passkeys_webauthncredential`: frank registers one through the reference's
API and signs in with it on the demo (his TOTP notwithstanding: the passkey verified him),
alice registers one through the demo and signs in with it on Django, and frank's counter, moved
by the demo, keeps Django refusing a replay of the count the demo accepted.

SECRET_KEY rotation (Django 4.1's SECRET_KEY_FALLBACKS): what Django signed with the old
key (a session, a reset link, an e-mail confirmation key, a TOTP activation token, a TOTP
secret as stored) and an MFA ephemeral token the demo issued under it are refused by the
demo under a new key alone, and accepted with the old key as a fallback; the session is
then re-signed with the new key, and a session the demo makes authenticates on Django
under the new key.

    .build/ref-venv/bin/python scripts/django-compat/check.py --demo .build/debug/RestAuthDemo \\
        --admin-url postgres://postgres@127.0.0.1:5432/postgres --reference ../shared/reference

Run it with a Python that has the reference's requirements and psycopg installed.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import subprocess
import sys
import time
import urllib.parse

from django.core import signing
from django.core.signing import JSONSerializer, Signer
from django.utils.crypto import salted_hmac

HERE = os.path.dirname(os.path.abspath(__file__))
PASSKEY_ORIGIN = "http://localhost:3000"
PASSKEY_SETTINGS = {"REST_AUTH_PASSKEYS_ENABLED": "true", "PASSKEY_RP_ID": "localhost", "PASSKEY_RP_NAME": "Example",
                    "PASSKEY_RP_ORIGINS": json.dumps([PASSKEY_ORIGIN])}
sys.path.insert(0, os.path.dirname(HERE))
import checklib  # noqa: E402
from checklib import check, free_port, stop  # noqa: E402

DJANGO_SECRET = "reference-secret-key-not-for-production-0123456789"
# dj-rest-auth's Signer(salt='dj-rest-auth-mfa-totp-secret'): the TOTP secret as stored.
TOTP_SIGNER = Signer(key=DJANGO_SECRET, salt="dj-rest-auth-mfa-totp-secret", fallback_keys=[])
# The key both servers move to in the rotation phase, DJANGO_SECRET becoming its fallback.
NEW_SECRET = "rotated-secret-key-not-for-production-9876543210"
TOTP_PERIOD = 30
INVALID_CODE = {"code": ["Invalid code."]}


def request(base, method, path, body=None, token=None, cookie=None):
    headers = {}
    if token:
        headers["Authorization"] = f"Token {token}"
    if cookie:
        headers["Cookie"] = cookie
    status, answer, _ = checklib.call(base, method, path, body, headers)
    return status, answer


def mfa_login(base, username, password, code):
    """Password on login/, then `code` with the ephemeral token on mfa/verify/: the
    verify answer (or the login answer, when it asked for no second factor)."""
    status, body = request(base, "POST", "login/", {"username": username, "password": password})
    if status != 200 or not isinstance(body, dict) or "ephemeral_token" not in body:
        return status, body
    return request(base, "POST", "mfa/verify/", {"ephemeral_token": body["ephemeral_token"], "code": code})


def totp(secret, step):
    """RFC 6238: the 6-digit HMAC-SHA1 code of a base32 secret for a 30 s step."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return str((int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10 ** 6).zfill(6)


def totp_step(need=2.5):
    """The current step, after waiting for the next one when fewer than `need` seconds
    are left, so that the requests sent right after land in it. Both servers accept the
    codes of the previous, current and next step, each once; the demo only after the
    last step used (activation counts), so the check spends steps in increasing order."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < need:
        time.sleep(left + 0.1)
    return int(time.time() // TOTP_PERIOD)


def session_data(data, key):
    """Django's SessionBase.decode under `key` alone (no fallbacks): the dict, or None."""
    try:
        return signing.loads(data, key=key, salt="django.contrib.sessions.SessionStore", serializer=JSONSerializer,
                             fallback_keys=[])
    except signing.BadSignature:
        return None


def session_auth_hash(password, key):
    """AbstractBaseUser._get_session_auth_hash(secret=key) of a password hash."""
    return salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", password, secret=key,
                       algorithm="sha256").hexdigest()


def session_cookie(headers):
    """The sessionid a response sets, or None."""
    for value in headers.get_all("Set-Cookie") or []:
        match = re.match(r"\s*sessionid=([^;]*)", value)
        if match and match.group(1):
            return match.group(1)
    return None


def start_demo(demo, env, log):
    """The demo server on a free port: (process, base URL)."""
    port = free_port()
    server = subprocess.Popen([demo, "serve", "--hostname", "127.0.0.1", "--port", str(port)],
                              env={**env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    return server, f"http://127.0.0.1:{port}"


def start_django(reference, env, log):
    """The reference Django server (gunicorn, one worker) on a free port: (process, base URL)."""
    port = free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen([gunicorn, "refsite.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
                              env=env, cwd=reference, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return server, f"http://127.0.0.1:{port}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", required=True)
    parser.add_argument("--admin-url", required=True, help="postgres://user@host:port/postgres")
    parser.add_argument("--reference", required=True, help="the reference Django project")
    parser.add_argument("--db", default="restauth_django")
    parser.add_argument("--log", default="/tmp/django-compat")
    args = parser.parse_args()
    # The conformance suite's software authenticator (cryptography and cbor2, which the
    # reference's py_webauthn brings).
    sys.path.insert(0, os.path.join(os.path.abspath(args.reference), "..", "conformance"))
    from webauthn_authenticator import Authenticator

    def register_passkey(base, key, authenticator):
        status, options = request(base, "POST", "passkeys/register/begin/", {}, token=key)
        check(status == 200, f"passkeys/register/begin/ ({status} {options})")
        registration = authenticator.create(options, PASSKEY_ORIGIN)
        status, body = request(base, "POST", "passkeys/register/complete/", {"credential": registration.body}, token=key)
        check(status == 201, f"passkeys/register/complete/ ({status} {body})")
        return registration.credential

    def passkey_login(base, authenticator, credential, **forge):
        status, options = request(base, "POST", "passkeys/login/begin/", {})
        check(status == 200, f"passkeys/login/begin/ ({status} {options})")
        return request(base, "POST", "passkeys/login/complete/", {
            "credential": authenticator.get(options, PASSKEY_ORIGIN, credential=credential, **forge),
            "session_id": options["session_id"]})

    admin = urllib.parse.urlparse(args.admin_url)
    database_url = args.admin_url.rsplit("/", 1)[0] + "/" + args.db
    psql_admin = ["psql", args.admin_url, "-v", "ON_ERROR_STOP=1", "-qtA"]
    psql = ["psql", database_url, "-v", "ON_ERROR_STOP=1", "-qtA"]
    subprocess.run(psql_admin + ["-c", f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)", "-c",
                                 f"CREATE DATABASE {args.db}"], check=True)

    django_env = dict(os.environ)
    django_env.update({
        "DJANGO_SETTINGS_MODULE": "pg_settings", "PYTHONPATH": f"{HERE}:{os.path.abspath(args.reference)}",
        "DJANGO_PG_NAME": args.db, "DJANGO_PG_HOST": admin.hostname or "127.0.0.1",
        "DJANGO_PG_PORT": str(admin.port or 5432), "DJANGO_PG_USER": admin.username or "postgres",
        "DJANGO_PG_PASSWORD": admin.password or "", "SECRET_KEY": DJANGO_SECRET,
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory", "REST_AUTH_MFA_ENABLED": "true", **PASSKEY_SETTINGS,
    })
    manage = [sys.executable, os.path.join(args.reference, "manage.py")]

    def sql(query):
        return subprocess.run(psql + ["-c", query], check=True, capture_output=True, text=True).stdout.strip()

    def mfa_rows(user):
        """The user's MFA rows as (type, data), by type: one of each is what both servers expect."""
        lines = sql(f"SELECT type || ' ' || data::text FROM dj_rest_auth_mfa_authenticator WHERE user_id = {user} "
                    "ORDER BY type, id").splitlines()
        return [(kind, json.loads(data)) for kind, data in (line.split(" ", 1) for line in lines)]

    # 1. Django's database, as a Django site leaves it.
    subprocess.run(manage + ["migrate", "--noinput"], env=django_env, check=True, stdout=subprocess.DEVNULL)
    # The passkeys package keeps its challenges in the database cache.
    subprocess.run(manage + ["createcachetable"], env=django_env, check=True, stdout=subprocess.DEVNULL)
    fixtures = subprocess.run(manage + ["shell", "-c", """
import json
from django.contrib.auth import get_user_model
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.models import SocialAccount
from rest_framework.authtoken.models import Token
from dj_rest_auth.mfa.recovery_codes import RecoveryCodes
from dj_rest_auth.mfa.totp import TOTP, generate_totp_secret
from dj_rest_auth.mfa.utils import create_totp_activation_token
User = get_user_model()
alice = User.objects.create_user("alice", "alice@example.com", "Alice-Django-Pass-1", first_name="Alice")
EmailAddress.objects.create(user=alice, email="alice@example.com", verified=True, primary=True)
token = Token.objects.create(user=alice)
SocialAccount.objects.create(user=alice, provider="google", uid="g-123", extra_data={"email": "alice@example.com"})
bob = User.objects.create_user("bob", "bob@example.com", "Bob-Django-Pass-2")
bob_address = EmailAddress.objects.create(user=bob, email="bob@example.com", verified=False, primary=True)
carol = User.objects.create_user("carol", "carol@example.com", "Carol-Django-Pass-3")
EmailAddress.objects.create(user=carol, email="carol@example.com", verified=True, primary=True)
erin = User.objects.create_user("erin", "erin@example.com", "Erin-Django-Pass-7")
EmailAddress.objects.create(user=erin, email="erin@example.com", verified=True, primary=True)
# MFA: frank turns TOTP on through Django's API, grace through the demo's.
frank = User.objects.create_user("frank", "frank@example.com", "Frank-Django-Pass-9")
EmailAddress.objects.create(user=frank, email="frank@example.com", verified=True, primary=True)
grace = User.objects.create_user("grace", "grace@example.com", "Grace-Django-Pass-10")
EmailAddress.objects.create(user=grace, email="grace@example.com", verified=True, primary=True)
# Key rotation (step 4): heidi's session, reset link and TOTP activation token, under the old
# key like the rest.
heidi = User.objects.create_user("heidi", "heidi@example.com", "Heidi-Django-Pass-11")
EmailAddress.objects.create(user=heidi, email="heidi@example.com", verified=True, primary=True)
heidi_secret = generate_totp_secret()
# ivan has TOTP on, his secret signed with the old key as Django's activation stores it.
ivan = User.objects.create_user("ivan", "ivan@example.com", "Ivan-Django-Pass-13")
EmailAddress.objects.create(user=ivan, email="ivan@example.com", verified=True, primary=True)
ivan_secret = generate_totp_secret()
TOTP.activate(ivan, ivan_secret)
# judy signed up under a Django that put Argon2 first (argon2-cffi's parameters).
from django.contrib.auth.hashers import make_password
judy = User.objects.create(username="judy", email="judy@example.com",
                           password=make_password("Judy-Django-Pass-14", hasher="argon2"))
EmailAddress.objects.create(user=judy, email="judy@example.com", verified=True, primary=True)
RecoveryCodes.activate(ivan)
# A session as Django's login() leaves it.
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
def login_session(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key
print(json.dumps({"token": token.key, "alice": alice.pk, "alice_hash": alice.password,
                  "carol_uid": user_pk_to_url_str(carol), "carol_token": default_token_generator.make_token(carol),
                  "session": login_session(alice), "frank": frank.pk, "grace": grace.pk,
                  "heidi": heidi.pk, "heidi_session": login_session(heidi), "heidi_uid": user_pk_to_url_str(heidi),
                  "heidi_token": default_token_generator.make_token(heidi),
                  "heidi_key": Token.objects.create(user=heidi).key, "heidi_secret": heidi_secret,
                  "heidi_activation": create_totp_activation_token(heidi, heidi_secret),
                  "bob_key": EmailConfirmationHMAC(bob_address).key, "ivan_secret": ivan_secret}))
"""], env=django_env, check=True, capture_output=True, text=True).stdout
    data = json.loads(fixtures.strip().splitlines()[-1])
    check(data["alice_hash"].startswith("pbkdf2_sha256$"), "Django hashed the passwords with PBKDF2")
    schema_query = ("SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns "
                    "WHERE table_schema = 'public' ORDER BY 1")
    index_query = "SELECT tablename || '.' || indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
    before = set(sql(schema_query).splitlines())
    tables_before = {line.split(".")[0] for line in before}
    indexes_before = set(sql(index_query).splitlines())
    check("dj_rest_auth_mfa_authenticator" in tables_before, "Django's MFA migration made its authenticator table")

    # 1b. The reference server (MFA on): frank turns TOTP on through its API.
    django_log = open(args.log + "-django.log", "w")
    server, base = start_django(args.reference, django_env, django_log)
    frank = {"username": "frank", "password": "Frank-Django-Pass-9"}
    try:
        checklib.wait_http(base + "/", [server], 120, "the Django server")
        status, body = request(base, "POST", "login/", frank)
        frank_key = body.get("key")
        status, init = request(base, "GET", "mfa/totp/activate/", token=frank_key)
        frank_secret = init["secret"]
        # Django's activation does not record its code: activate with the previous step and
        # sign in with the current one, which Django records (`last_code`).
        frank_step = totp_step()
        status, body = request(base, "POST", "mfa/totp/activate/", {
            "activation_token": init["activation_token"], "code": totp(frank_secret, frank_step - 1)}, token=frank_key)
        frank_codes = body.get("recovery_codes") or []
        check(status == 200 and len(frank_codes) == 10,
              f"Django turns TOTP on for a user and issues recovery codes ({status} {len(frank_codes)} codes)")
        status, body = mfa_login(base, frank["username"], frank["password"], totp(frank_secret, frank_step))
        check(status == 200 and body.get("key") == frank_key,
              f"Django signs him in with password and TOTP code ({status} {body})")
        frank_authenticator = Authenticator()
        frank_passkey = register_passkey(base, frank_key, frank_authenticator)
        status, body = passkey_login(base, frank_authenticator, frank_passkey)
        check(status == 200 and body.get("key") == frank_key,
              f"Django registers a passkey for him and signs him in with it ({status} {body})")
    finally:
        stop(server)
    rows = mfa_rows(data["frank"])
    check([kind for kind, _ in rows] == ["recovery_codes", "totp"]
          and sorted(rows[1][1]) == ["last_code", "secret"] and sorted(rows[0][1]) == ["seed", "used_mask"]
          and rows[1][1]["secret"] == TOTP_SIGNER.sign(frank_secret) and rows[0][1]["used_mask"] == 0,
          f"Django's rows: one per type, the signed secret and last code, a seed and an empty mask "
          f"({[(kind, sorted(value)) for kind, value in rows]})")

    # 2. The demo server on it.
    sink = checklib.SmtpSink()
    sink.start()
    demo_env = dict(os.environ)
    demo_env.update({
        "DATABASE_URL": database_url, "SECRET_KEY": DJANGO_SECRET,
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory", "ACCOUNT_RATE_LIMITS": "false",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port), "REST_AUTH_MFA_ENABLED": "true",
        **PASSKEY_SETTINGS,
    })
    demo_log = open(args.log + "-demo.log", "w")
    demo, base = start_demo(args.demo, demo_env, demo_log)
    try:
        checklib.wait_http(base + "/health", [demo], 120, "the demo")
        status, body = request(base, "POST", "login/", {"username": "alice", "password": "Alice-Django-Pass-1"})
        check(status == 200 and body.get("key") == data["token"],
              f"a Django user logs in with her password and gets her DRF token back ({status} {body})")
        status, body = request(base, "GET", "user/", token=data["token"])
        check(status == 200 and body.get("pk") == data["alice"] and body.get("first_name") == "Alice",
              f"her DRF token authenticates ({status} {body})")
        status, body = request(base, "GET", "user/", cookie=f"sessionid={data['session']}")
        check(status == 200 and body.get("pk") == data["alice"],
              f"her Django session authenticates ({status} {body})")
        status, body = request(base, "POST", "login/", {"email": "alice@example.com", "password": "Alice-Django-Pass-1"})
        check(status == 200, f"she logs in by address too ({status})")
        # Passkeys: frank's, registered on Django, signs in here (it verified him: no TOTP
        # step); alice registers one here for Django below.
        status, body = passkey_login(base, frank_authenticator, frank_passkey)
        check(status == 200 and body.get("key") == frank_key,
              f"the passkey Django registered signs him in on the demo ({status} {body})")
        frank_count = frank_passkey.sign_count
        status, body = passkey_login(base, frank_authenticator, frank_passkey, sign_count=frank_count)
        check(status == 400 and body == {"non_field_errors": [
            f"Authentication verification failed: Response sign count of {frank_count} was not greater than current "
            f"count of {frank_count}"]}, f"and a replay of its count is refused ({status} {body})")
        alice_authenticator = Authenticator()
        alice_passkey = register_passkey(base, data["token"], alice_authenticator)
        judy_hash = lambda: sql("SELECT password FROM auth_user WHERE username = 'judy'")  # noqa: E731
        check(judy_hash().startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$"),
              f"Django hashed judy's password with Argon2 ({judy_hash()[:40]}...)")
        status, body = request(base, "POST", "login/", {"username": "judy", "password": "Judy-Django-Pass-14"})
        check(status == 200 and "key" in body, f"a user with a Django Argon2 hash logs in on the demo ({status} {body})")
        check(judy_hash().startswith("pbkdf2_sha256$"),
              "and her hash is rewritten by the first hasher (PBKDF2), as Django's login does")
        status, body = request(base, "POST", "login/", {"username": "bob", "password": "Bob-Django-Pass-2"})
        check(status == 400 and body == {"non_field_errors": ["E-mail is not verified."]},
              f"an unverified address stays unverified under mandatory verification ({status} {body})")
        check(sql("SELECT verified FROM account_emailaddress WHERE email = 'bob@example.com'") == "f",
              "bob's address is still unverified in the database")
        status, body = request(base, "GET", "socialaccounts/", token=data["token"])
        check(status == 200 and isinstance(body, list) and len(body) == 1 and body[0].get("provider") == "google"
              and body[0].get("uid") == "g-123", f"allauth's social accounts are listed ({status} {body})")
        status, body = request(base, "POST", "password/change/",
                               {"new_password1": "Alice-Swift-Pass-4", "new_password2": "Alice-Swift-Pass-4"},
                               token=data["token"])
        check(status == 200, f"the demo changes a Django user's password ({status} {body})")
        status, body = request(base, "POST", "password/reset/confirm/", {
            "uid": data["carol_uid"], "token": data["carol_token"],
            "new_password1": "Carol-Swift-Pass-5", "new_password2": "Carol-Swift-Pass-5"})
        check(status == 200, f"a reset link made by Django works on the demo ({status} {body})")
        status, _ = request(base, "POST", "login/", {"username": "carol", "password": "Carol-Django-Pass-3"})
        check(status == 400, "the old password no longer works")
        status, body = request(base, "POST", "registration/", {
            "username": "dave", "email": "dave@example.com", "password1": "Dave-Swift-Pass-6",
            "password2": "Dave-Swift-Pass-6"})
        check(status == 201, f"a user signs up on the demo ({status} {body})")
        # A reset link the demo makes, for Django to honour below.
        status, body = request(base, "POST", "password/reset/", {"email": "erin@example.com"})
        check(status == 200, f"the demo sends a reset mail ({status} {body})")
        link = sink.match("erin@example.com", re.compile(r"password-reset/confirm/([0-9a-z]+)/([0-9a-z]+-[0-9a-f]+)/"))

        # MFA: frank, whose TOTP Django turned on, signs in on the demo. Django's last code
        # is seconds old, still within the window: refused as a replay of Django's use.
        status, body = request(base, "POST", "login/", frank)
        check(status == 200 and set(body) == {"ephemeral_token", "mfa_required"} and body["mfa_required"] is True,
              f"the demo asks a user with Django's TOTP for a second factor ({status} {body})")
        status, body = mfa_login(base, frank["username"], frank["password"], totp(frank_secret, frank_step))
        check(status == 400 and body == INVALID_CODE,
              f"the demo refuses the TOTP code Django last accepted ({status} {body})")
        frank_step = max(frank_step + 1, totp_step())
        status, body = mfa_login(base, frank["username"], frank["password"], totp(frank_secret, frank_step))
        check(status == 200 and body.get("key") == frank_key,
              f"the demo signs him in with a fresh code of Django's secret ({status} {body})")
        status, body = mfa_login(base, frank["username"], frank["password"], frank_codes[0])
        check(status == 200 and body.get("key") == frank_key,
              f"and with a recovery code Django issued ({status} {body})")
        status, body = request(base, "GET", "mfa/status/", token=frank_key)
        check(status == 200 and body.get("mfa_enabled") is True and bool(body.get("created_at"))
              and bool(body.get("last_used_at")), f"the demo's mfa/status/ reports MFA on ({status} {body})")
        status, body = request(base, "POST", "mfa/recovery-codes/", token=frank_key)
        check(status == 200 and body == {"codes": frank_codes[1:]},
              f"the demo lists Django's recovery codes but the one used ({status} {len(body.get('codes', []))} codes)")
        # grace turns TOTP on through the demo, for Django below.
        grace = {"username": "grace", "password": "Grace-Django-Pass-10"}
        status, body = request(base, "POST", "login/", grace)
        grace_key = body.get("key")
        status, init = request(base, "GET", "mfa/totp/activate/", token=grace_key)
        grace_secret = init["secret"]
        grace_step = totp_step()
        status, body = request(base, "POST", "mfa/totp/activate/", {
            "activation_token": init["activation_token"], "code": totp(grace_secret, grace_step)}, token=grace_key)
        grace_codes = body.get("recovery_codes") or []
        check(status == 200 and len(grace_codes) == 10,
              f"the demo turns TOTP on for a Django user and issues recovery codes ({status} {len(grace_codes)} codes)")
        status, body = mfa_login(base, grace["username"], grace["password"], grace_codes[0])
        check(status == 200 and body.get("key") == grace_key, f"she signs in on the demo with one ({status} {body})")
        # An ephemeral token the demo issues under the old key, left open for step 4 (the
        # demo accepts only those it recorded; the last login in a second reopens it).
        status, body = request(base, "POST", "login/", frank)
        frank_ephemeral = body.get("ephemeral_token") if isinstance(body, dict) else None
    finally:
        stop(demo)
        sink.stop()

    after = set(sql(schema_query).splitlines())
    changed = {line for line in before.symmetric_difference(after) if line.split(".")[0] in tables_before}
    check(not changed, f"Django's tables and columns are untouched ({sorted(changed)[:5]})")
    # Their indexes too (MFA's table included), but for the case-folded ones the README
    # lists under "Moving from Django".
    indexes = {line for line in indexes_before.symmetric_difference(sql(index_query).splitlines())
               if line.split(".")[0] in tables_before and not re.search(r"_(fold|lower)(_uniq)?$", line)}
    check(not indexes, f"and their indexes, but for the case-folded ones ({sorted(indexes)[:5]})")
    added = {line.split(".")[0] for line in after} - tables_before
    # The package's own tables (Fluent's migration log, refresh-token families, rate-limit
    # counters, MFA's ephemeral tokens); everything of Django's, MFA's authenticators too,
    # was already there.
    check(added <= {"_fluent_migrations", "restauth_refreshfamily", "restauth_ratelimit", "restauth_mfa_challenge",
                    "restauth_passkey", "restauth_passkey_challenge"},
          f"the demo created only what was missing: {sorted(added)}")
    check(sql("SELECT count(*) FROM auth_user") == "10", "no user was duplicated")
    rows = mfa_rows(data["frank"])
    check([kind for kind, _ in rows] == ["recovery_codes", "totp"]
          and rows[1][1].get("secret") == TOTP_SIGNER.sign(frank_secret)
          and rows[1][1].get("last_code") == totp(frank_secret, frank_step)
          and rows[1][1].get("last_step") == frank_step and rows[0][1].get("used_mask") == 1,
          f"the demo recorded its uses in Django's rows: the last code and step, the first recovery code "
          f"({[(kind, {k: v for k, v in value.items() if k not in ('secret', 'seed')}) for kind, value in rows]})")
    rows = mfa_rows(data["grace"])
    check([kind for kind, _ in rows] == ["recovery_codes", "totp"]
          and sorted(rows[1][1]) == ["last_code", "last_step", "secret"] and sorted(rows[0][1]) == ["seed", "used_mask"]
          and rows[1][1]["secret"] == TOTP_SIGNER.sign(grace_secret)
          and rows[1][1]["last_code"] == totp(grace_secret, grace_step) and rows[1][1]["last_step"] == grace_step
          and rows[0][1]["used_mask"] == 1,
          f"the demo's rows: one per type, Django's signed secret, the last code and step, a seed and a mask "
          f"({[(kind, sorted(value)) for kind, value in rows]})")

    # 3. Django again, on the same database.
    server, base = start_django(args.reference, django_env, django_log)
    try:
        checklib.wait_http(base + "/", [server], 120, "the Django server")
        status, body = request(base, "POST", "login/", {"username": "alice", "password": "Alice-Swift-Pass-4"})
        check(status == 200 and body.get("key") == data["token"],
              f"Django logs in a user with the password the demo set ({status} {body})")
        status, body = request(base, "POST", "login/", {"username": "carol", "password": "Carol-Swift-Pass-5"})
        check(status == 200, f"Django logs in a user with the password the demo reset ({status} {body})")
        status, body = request(base, "POST", "login/", {"username": "judy", "password": "Judy-Django-Pass-14"})
        check(status == 200, f"Django logs in the Argon2 user with the hash the demo upgraded ({status} {body})")
        status, body = request(base, "POST", "login/", {"username": "dave", "password": "Dave-Swift-Pass-6"})
        check(status == 400 and "not verified" in json.dumps(body),
              f"Django sees the demo's sign-up, unverified under mandatory verification ({status} {body})")
        status, body = request(base, "POST", "login/", {"username": "alice", "password": "Alice-Django-Pass-1"})
        check(status == 400, "Django refuses the old password")
        status, body = passkey_login(base, alice_authenticator, alice_passkey)
        check(status == 200 and body.get("key") == data["token"],
              f"Django signs alice in with the passkey the demo registered ({status} {body})")
        status, body = passkey_login(base, frank_authenticator, frank_passkey, sign_count=frank_count)
        check(status == 400 and "was not greater than current count" in json.dumps(body),
              f"Django refuses frank's count the demo already accepted: the demo kept Django's counter ({status} {body})")
        status, body = passkey_login(base, frank_authenticator, frank_passkey)
        check(status == 200, f"and takes his next one ({status} {body})")
        if link:
            status, body = request(base, "POST", "password/reset/confirm/", {
                "uid": link.group(1), "token": link.group(2), "new_password1": "Erin-Django-Pass-8",
                "new_password2": "Erin-Django-Pass-8"})
            check(status == 200, f"Django honours a reset link the demo made ({status} {body})")
            status, body = request(base, "POST", "login/", {"username": "erin", "password": "Erin-Django-Pass-8"})
            check(status == 200, f"and the new password logs in on Django ({status} {body})")
        # MFA: grace, whose TOTP the demo turned on. The demo's activation spent the code
        # of grace_step, less than a step ago: still within Django's window.
        status, body = mfa_login(base, grace["username"], grace["password"], totp(grace_secret, grace_step))
        check(status == 400 and body == INVALID_CODE,
              f"Django refuses the TOTP code the demo's activation spent ({status} {body})")
        grace_step = max(grace_step + 1, totp_step())
        status, body = mfa_login(base, grace["username"], grace["password"], totp(grace_secret, grace_step))
        check(status == 200 and body.get("key") == grace_key,
              f"Django signs in a user whose TOTP the demo turned on, with password and code ({status} {body})")
        status, body = mfa_login(base, grace["username"], grace["password"], grace_codes[0])
        check(status == 400 and body == INVALID_CODE,
              f"Django refuses the recovery code the demo marked used ({status} {body})")
        status, body = mfa_login(base, grace["username"], grace["password"], grace_codes[1])
        check(status == 200 and body.get("key") == grace_key,
              f"and accepts another the demo issued ({status} {body})")
        status, body = request(base, "POST", "mfa/recovery-codes/", token=grace_key)
        check(status == 200 and body == {"codes": grace_codes[2:]},
              f"Django lists the demo's recovery codes but the two used ({status} {len(body.get('codes', []))} codes)")
    finally:
        stop(server)
    rows = mfa_rows(data["grace"])
    check(len(rows) == 2 and rows[1][1].get("last_code") == totp(grace_secret, grace_step)
          and rows[0][1].get("used_mask") == 3, f"Django recorded its uses in the demo's rows "
          f"({[(kind, {k: v for k, v in value.items() if k not in ('secret', 'seed')}) for kind, value in rows]})")

    # 4. SECRET_KEY rotation: the demo under a new key, first alone, then with the old one in
    # SECRET_KEY_FALLBACKS, on what Django signed with the old key in step 1 (heidi's session,
    # reset link and TOTP activation token, bob's confirmation key, ivan's TOTP secret as
    # stored) and the MFA ephemeral token the demo issued frank under it in step 2.
    ivan = {"username": "ivan", "password": "Ivan-Django-Pass-13"}
    session_row = f"SELECT session_data FROM django_session WHERE session_key = '{data['heidi_session']}'"
    heidi_row = sql(session_row)
    heidi_password = sql(f"SELECT password FROM auth_user WHERE id = {data['heidi']}")
    heidi_reset = {"uid": data["heidi_uid"], "token": data["heidi_token"],
                   "new_password1": "Heidi-Swift-Pass-12", "new_password2": "Heidi-Swift-Pass-12"}
    rotated_env = dict(demo_env, SECRET_KEY=NEW_SECRET)
    demo, base = start_demo(args.demo, rotated_env, demo_log)
    try:
        checklib.wait_http(base + "/health", [demo], 120, "the demo")
        status, body = request(base, "GET", "user/", cookie=f"sessionid={data['heidi_session']}")
        check(status in (401, 403),
              f"under a new key alone, the demo refuses a Django session signed with the old one ({status} {body})")
        status, body = request(base, "POST", "password/reset/confirm/", heidi_reset)
        check(status == 400, f"and Django's reset link ({status} {body})")
        status, body = request(base, "POST", "registration/verify-email/", {"key": data["bob_key"]})
        check(status == 404, f"and allauth's confirmation key ({status} {body})")
        status, body = request(base, "POST", "mfa/totp/activate/", {
            "activation_token": data["heidi_activation"], "code": totp(data["heidi_secret"], totp_step())},
            token=data["heidi_key"])
        check(status == 400, f"and dj-rest-auth's TOTP activation token ({status} {body})")
        status, body = request(base, "POST", "mfa/verify/",
                               {"ephemeral_token": frank_ephemeral, "code": frank_codes[1]})
        check(status == 400, f"and the MFA ephemeral token the demo issued under the old key ({status} {body})")
        status, body = mfa_login(base, ivan["username"], ivan["password"], totp(data["ivan_secret"], totp_step()))
        check(status == 400 and body == INVALID_CODE,
              f"and a TOTP code of a secret Django stored signed with the old key ({status} {body})")
    finally:
        stop(demo)
    check(sql(session_row) == heidi_row, "the session row it refused is left as it was")

    rotated_env["SECRET_KEY_FALLBACKS"] = json.dumps([DJANGO_SECRET])
    demo, base = start_demo(args.demo, rotated_env, demo_log)
    demo_session = None
    try:
        checklib.wait_http(base + "/health", [demo], 120, "the demo")
        status, body = request(base, "GET", "user/", cookie=f"sessionid={data['heidi_session']}")
        check(status == 200 and body.get("pk") == data["heidi"],
              f"with the old key as a fallback, the Django session authenticates ({status} {body})")
        row = sql(session_row)
        decoded = session_data(row, NEW_SECRET)
        check(decoded is not None and session_data(row, DJANGO_SECRET) is None
              and decoded.get("_auth_user_id") == str(data["heidi"])
              and decoded.get("_auth_user_hash") == session_auth_hash(heidi_password, NEW_SECRET),
              f"and its row is re-signed with the new key, with the auth hash under it ({decoded})")
        status, body = request(base, "POST", "password/reset/confirm/", heidi_reset)
        check(status == 200, f"Django's reset link resets the password ({status} {body})")
        status, body, headers = checklib.call(base, "POST", "login/",
                                              {"username": "heidi", "password": "Heidi-Swift-Pass-12"})
        demo_session = session_cookie(headers)
        check(status == 200 and bool(body.get("key")) and demo_session is not None,
              f"and the new password logs in, with a session ({status} {body} sessionid {demo_session})")
        status, body = request(base, "POST", "registration/verify-email/", {"key": data["bob_key"]})
        check(status == 200 and body == {"detail": "ok"}, f"allauth's confirmation key verifies ({status} {body})")
        status, body = request(base, "POST", "login/", {"username": "bob", "password": "Bob-Django-Pass-2"})
        check(status == 200 and sql("SELECT verified FROM account_emailaddress WHERE email = 'bob@example.com'") == "t",
              f"and the address is verified: he logs in ({status} {body})")
        status, body = request(base, "POST", "mfa/totp/activate/", {
            "activation_token": data["heidi_activation"], "code": totp(data["heidi_secret"], totp_step())},
            token=data["heidi_key"])
        check(status == 200 and len(body.get("recovery_codes") or []) == 10,
              f"Django's TOTP activation token turns TOTP on ({status} {len(body.get('recovery_codes') or [])} codes)")
        status, body = request(base, "POST", "mfa/verify/",
                               {"ephemeral_token": frank_ephemeral, "code": frank_codes[1]})
        check(status == 200 and body.get("key") == frank_key,
              f"the MFA ephemeral token the demo issued under the old key works ({status} {body})")
        status, body = mfa_login(base, ivan["username"], ivan["password"], totp(data["ivan_secret"], totp_step()))
        check(status == 200 and bool(body.get("key")),
              f"and a TOTP code of the secret Django stored under the old key ({status} {body})")
    finally:
        stop(demo)
    row = sql(f"SELECT session_data FROM django_session WHERE session_key = '{demo_session}'") if demo_session else ""
    check(session_data(row, NEW_SECRET) is not None and session_data(row, DJANGO_SECRET) is None,
          "the demo signed its new session with the new key")
    rotated_django = dict(django_env, SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=json.dumps([DJANGO_SECRET]))
    server, base = start_django(args.reference, rotated_django, django_log)
    try:
        checklib.wait_http(base + "/", [server], 120, "the Django server")
        status, body = request(base, "GET", "user/", cookie=f"sessionid={demo_session}")
        check(status == 200 and body.get("pk") == data["heidi"],
              f"Django under the new key (the old as fallback) accepts the demo's session ({status} {body})")
    finally:
        stop(server)

    subprocess.run(psql_admin + ["-c", f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)"], check=False)
    if checklib.failures:
        print(f"{len(checklib.failures)} checks failed; logs in {args.log}-*.log")
        sys.exit(1)
    print("the Django database is served unchanged")


if __name__ == "__main__":
    main()
