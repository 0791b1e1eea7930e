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

    .build/ref-venv/bin/python scripts/django-compat/check.py --demo .build/debug/RestAuthDemo \\
        --admin-url postgres://postgres@127.0.0.1:5432/postgres --reference ../shared/reference

Run it with a Python that has the reference's requirements and psycopg installed.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import checklib  # noqa: E402
from checklib import check, free_port, stop  # noqa: E402

DJANGO_SECRET = "reference-secret-key-not-for-production-0123456789"


def request(base, method, path, body=None, token=None, cookie=None):
    headers = {}
    if token:
        headers["Authorization"] = f"Token {token}"
    if cookie:
        headers["Cookie"] = cookie
    status, answer, _ = checklib.call(base, method, path, body, headers)
    return status, answer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", required=True)
    parser.add_argument("--admin-url", required=True, help="postgres://user@host:port/postgres")
    parser.add_argument("--reference", required=True, help="the reference Django project")
    parser.add_argument("--db", default="restauth_django")
    parser.add_argument("--log", default="/tmp/django-compat")
    args = parser.parse_args()

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
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
    })
    manage = [sys.executable, os.path.join(args.reference, "manage.py")]

    def sql(query):
        return subprocess.run(psql + ["-c", query], check=True, capture_output=True, text=True).stdout.strip()

    # 1. Django's database, as a Django site leaves it.
    subprocess.run(manage + ["migrate", "--noinput"], env=django_env, check=True, stdout=subprocess.DEVNULL)
    fixtures = subprocess.run(manage + ["shell", "-c", """
import json
from django.contrib.auth import get_user_model
from allauth.account.models import EmailAddress
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.models import SocialAccount
from rest_framework.authtoken.models import Token
User = get_user_model()
alice = User.objects.create_user("alice", "alice@example.com", "Alice-Django-Pass-1", first_name="Alice")
EmailAddress.objects.create(user=alice, email="alice@example.com", verified=True, primary=True)
token = Token.objects.create(user=alice)
SocialAccount.objects.create(user=alice, provider="google", uid="g-123", extra_data={"email": "alice@example.com"})
bob = User.objects.create_user("bob", "bob@example.com", "Bob-Django-Pass-2")
EmailAddress.objects.create(user=bob, email="bob@example.com", verified=False, primary=True)
carol = User.objects.create_user("carol", "carol@example.com", "Carol-Django-Pass-3")
EmailAddress.objects.create(user=carol, email="carol@example.com", verified=True, primary=True)
erin = User.objects.create_user("erin", "erin@example.com", "Erin-Django-Pass-7")
EmailAddress.objects.create(user=erin, email="erin@example.com", verified=True, primary=True)
# A session as Django's login() leaves it.
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
session = SessionStore()
session[SESSION_KEY] = str(alice.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = alice.get_session_auth_hash()
session.create()
print(json.dumps({"token": token.key, "alice": alice.pk, "alice_hash": alice.password,
                  "carol_uid": user_pk_to_url_str(carol), "carol_token": default_token_generator.make_token(carol),
                  "session": session.session_key}))
"""], env=django_env, check=True, capture_output=True, text=True).stdout
    data = json.loads(fixtures.strip().splitlines()[-1])
    check(data["alice_hash"].startswith("pbkdf2_sha256$"), "Django hashed the passwords with PBKDF2")
    schema_query = ("SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns "
                    "WHERE table_schema = 'public' ORDER BY 1")
    before = set(sql(schema_query).splitlines())
    tables_before = {line.split(".")[0] for line in before}

    # 2. The demo server on it.
    port = free_port()
    sink = checklib.SmtpSink()
    sink.start()
    demo_env = dict(os.environ)
    demo_env.update({
        "DATABASE_URL": database_url, "SECRET_KEY": DJANGO_SECRET, "PORT": str(port),
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory", "ACCOUNT_RATE_LIMITS": "false",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port),
    })
    demo_log = open(args.log + "-demo.log", "w")
    demo = subprocess.Popen([args.demo, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=demo_env,
                            stdout=demo_log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
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
    finally:
        stop(demo)
        sink.stop()

    after = set(sql(schema_query).splitlines())
    changed = {line for line in before.symmetric_difference(after) if line.split(".")[0] in tables_before}
    check(not changed, f"Django's tables and columns are untouched ({sorted(changed)[:5]})")
    added = {line.split(".")[0] for line in after} - tables_before
    # The package's own tables (Fluent's migration log, refresh-token families, rate-limit
    # counters); everything of Django's was already there.
    check(added <= {"_fluent_migrations", "restauth_refreshfamily", "restauth_ratelimit"},
          f"the demo created only what was missing: {sorted(added)}")
    check(sql("SELECT count(*) FROM auth_user") == "5", "no user was duplicated")

    # 3. Django again, on the same database.
    port = free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    django_log = open(args.log + "-django.log", "w")
    server = subprocess.Popen([gunicorn, "refsite.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
                              env=django_env, cwd=args.reference, stdout=django_log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        checklib.wait_http(base + "/", [server], 120, "the Django server")
        status, body = request(base, "POST", "login/", {"username": "alice", "password": "Alice-Swift-Pass-4"})
        check(status == 200 and body.get("key") == data["token"],
              f"Django logs in a user with the password the demo set ({status} {body})")
        status, body = request(base, "POST", "login/", {"username": "carol", "password": "Carol-Swift-Pass-5"})
        check(status == 200, f"Django logs in a user with the password the demo reset ({status} {body})")
        status, body = request(base, "POST", "login/", {"username": "dave", "password": "Dave-Swift-Pass-6"})
        check(status == 400 and "not verified" in json.dumps(body),
              f"Django sees the demo's sign-up, unverified under mandatory verification ({status} {body})")
        status, body = request(base, "POST", "login/", {"username": "alice", "password": "Alice-Django-Pass-1"})
        check(status == 400, "Django refuses the old password")
        if link:
            status, body = request(base, "POST", "password/reset/confirm/", {
                "uid": link.group(1), "token": link.group(2), "new_password1": "Erin-Django-Pass-8",
                "new_password2": "Erin-Django-Pass-8"})
            check(status == 200, f"Django honours a reset link the demo made ({status} {body})")
            status, body = request(base, "POST", "login/", {"username": "erin", "password": "Erin-Django-Pass-8"})
            check(status == 200, f"and the new password logs in on Django ({status} {body})")
    finally:
        stop(server)

    subprocess.run(psql_admin + ["-c", f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)"], check=False)
    if checklib.failures:
        print(f"{len(checklib.failures)} checks failed; logs in {args.log}-*.log")
        sys.exit(1)
    print("the Django database is served unchanged")


if __name__ == "__main__":
    main()
