"""Differential check of translations: the same requests, in five languages, to the demo and to
the real dj-rest-auth 7.2 (../shared/reference), both given the i18n conformance profile's
LANGUAGES and LOCALE_PATHS (the catalogs of the Django packages installed beside PYTHON); prints
every answer whose status, body (random names and keys aside) or Content-Language differ.

    REF_PY=path/to/reference-venv/bin/python scripts/i18n-reference-diff.py ['{"REST_AUTH_USE_JWT": "true"}']

Run it with a Python that has requests and the Django packages (.build/ci-venv after .ci/run).
(In JWT mode the five differences of `Authorization: Token ...` are expected: the reference keeps
DRF's token authentication beside JWT, this package does not; see the README.)"""
import json, os, signal, socket, subprocess, sys, tempfile, time, uuid
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = next(p for p in sys.path if p.endswith("site-packages"))
WORK = tempfile.mkdtemp(prefix="i18n-diff-")
LOCALE_PATHS = [f"{SITE}/{p}/locale" for p in ("django/contrib/auth", "allauth", "rest_framework", "dj_rest_auth", "rest_framework_simplejwt", "django/conf")]
ENV = {"LANGUAGE_CODE": "en-us", "LANGUAGES": json.dumps(["en", "de", "fr", "es", "pt-br", "ru"]),
       "LOCALE_PATHS": json.dumps(LOCALE_PATHS), "SECRET_KEY": "cmp-secret-key-0123456789-0123456789-0123456789",
       "ACCOUNT_RATE_LIMITS": "false", "REST_AUTH_SESSION_LOGIN": "false", "ACCOUNT_EMAIL_VERIFICATION": "none"}
EXTRA = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}

def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def start(kind):
    p = port()
    env = {**os.environ, **ENV, **EXTRA, "PORT": str(p)}
    if kind == "swift":
        demo = subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip() + "/RestAuthDemo"
        env["DATABASE_URL"] = f"sqlite://{WORK}/s{p}.sqlite"; env["PBKDF2_ITERATIONS"] = "1000"
        proc = subprocess.Popen([demo, "serve", "--hostname", "127.0.0.1", "--port", str(p)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    else:
        env["PY"] = os.environ["REF_PY"]; env["REF_DB"] = f"{WORK}/r{p}.sqlite3"; env["REF_FAST_HASH"] = "1"
        proc = subprocess.Popen([os.path.join(ROOT, "..", "shared", "reference", "run-reference.sh")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{p}/dj-rest-auth/"
    for _ in range(300):
        try:
            requests.get(base + "login/", timeout=1); break
        except Exception:
            time.sleep(0.2)
    return proc, base

def run(base, lang):
    out = []
    h = {"Accept-Language": lang}
    s = requests
    u = "cmp" + uuid.uuid4().hex[:6]
    def rec(name, r):
        try: body = r.json()
        except Exception: body = r.text[:200]
        if isinstance(body, dict):
            body = {k: ("K" if k in ("key", "pk", "access", "refresh") else v) for k, v in body.items()}
        body = json.loads(json.dumps(body, ensure_ascii=False).replace(u, "U"))
        out.append((name, r.status_code, body, r.headers.get("Content-Language")))
    rec("options login", s.options(base + "login/", headers=h))
    rec("options registration", s.options(base + "registration/", headers=h))
    rec("options password/change", s.options(base + "password/change/", headers=h))
    rec("reg bad types", s.post(base + "registration/", json={"username": ["x"], "email": 5, "password1": None, "password2": ""}, headers=h))
    rec("reg long", s.post(base + "registration/", json={"username": "x" * 200, "email": "a@b.c", "password1": "p", "password2": "p"}, headers=h))
    rec("reg bad username", s.post(base + "registration/", json={"username": "a b!", "email": "a@example.com", "password1": "Sturdy-Lantern-8412", "password2": "Sturdy-Lantern-8412"}, headers=h))
    rec("reg list body", s.post(base + "registration/", json=[1, 2], headers=h))
    rec("reg null char", s.post(base + "registration/", json={"username": "a\u0000b", "email": "a@example.com", "password1": "x", "password2": "x"}, headers=h))
    rec("reg ok", s.post(base + "registration/", json={"username": u, "email": u + "@example.com", "password1": "Sturdy-Lantern-8412", "password2": "Sturdy-Lantern-8412"}))
    rec("reg email taken", s.post(base + "registration/", json={"username": u + "x", "email": u + "@example.com", "password1": "Sturdy-Lantern-8412", "password2": "Sturdy-Lantern-8412"}, headers=h))
    r = s.post(base + "login/", json={"username": u, "password": "Sturdy-Lantern-8412"})
    body = r.json()
    auth = {"Authorization": "Token " + body["key"]} if "key" in body else {"Authorization": "Bearer " + body.get("access", "")}
    rec("login email only missing", s.post(base + "login/", json={"email": "", "password": ""}, headers=h))
    rec("options user", s.options(base + "user/", headers={**h, **auth}))
    rec("patch user bad", s.patch(base + "user/", json={"username": "a b", "first_name": "x" * 200}, headers={**h, **auth}))
    rec("user email change", s.patch(base + "user/", json={"email": "new@example.com"}, headers={**h, **auth}))
    rec("pw change similar", s.post(base + "password/change/", json={"new_password1": u, "new_password2": u}, headers={**h, **auth}))
    rec("pw change short", s.post(base + "password/change/", json={"new_password1": "ab1", "new_password2": "ab1"}, headers={**h, **auth}))
    rec("reset bad email", s.post(base + "password/reset/", json={"email": "nope"}, headers=h))
    rec("reset confirm missing", s.post(base + "password/reset/confirm/", json={}, headers=h))
    rec("verify-email missing", s.post(base + "registration/verify-email/", json={}, headers=h))
    rec("resend missing", s.post(base + "registration/resend-email/", json={}, headers=h))
    rec("unsupported media", s.post(base + "login/", data="x", headers={**h, "Content-Type": "text/plain"}))
    rec("bad json", s.post(base + "login/", data="{", headers={**h, "Content-Type": "application/json"}))
    rec("put login", s.put(base + "login/", json={}, headers=h))
    rec("token header empty", s.get(base + "user/", headers={**h, "Authorization": "Token"}))
    rec("token header spaces", s.get(base + "user/", headers={**h, "Authorization": "Token a b"}))
    rec("logout", s.post(base + "logout/", headers={**h, **auth}))
    return out

langs = ["de", "fr", "es", "pt-br", "ru"]
(sp, sb), (rp, rb) = start("swift"), start("ref")
try:
    diffs = 0
    for lang in langs:
        a, b = run(sb, lang), run(rb, lang)
        for x, y in zip(a, b):
            if x[1:] != y[1:]:
                diffs += 1
                import difflib
                if x[0].startswith("options"):
                    print("\n".join(difflib.unified_diff(json.dumps(y[2], indent=1, ensure_ascii=False).splitlines(), json.dumps(x[2], indent=1, ensure_ascii=False).splitlines(), "ref", "swift", lineterm="", n=1)))
                print(f"[{lang}] {x[0]}\n  swift: {x[1]} {json.dumps(x[2], ensure_ascii=False)[:600]} {x[3]}\n  ref:   {y[1]} {json.dumps(y[2], ensure_ascii=False)[:600]} {y[3]}")
    print("differences:", diffs)
finally:
    for p in (sp, rp):
        os.killpg(p.pid, signal.SIGTERM)
