#!/usr/bin/env python3
"""The restauth tool against the demo, as a person would use it from a shell: login
(password from stdin), whoami, mfa enable (the secret read off the screen, the code
typed back), logout, login again with the second step, mfa status, password change,
logout. Each run keeps its credential under a throwaway XDG_CONFIG_HOME.

    scripts/cli-check.py --demo .build/debug/RestAuthDemo --restauth .build/debug/restauth
"""
import argparse
import base64
import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checklib  # noqa: E402
from checklib import check  # noqa: E402


def totp(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", required=True)
    parser.add_argument("--restauth", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="cli-check.")
    port = checklib.free_port()
    base = f"http://127.0.0.1:{port}"
    server = f"{base}/dj-rest-auth/"
    env = checklib.demo_environment({
        "DATABASE_URL": f"sqlite://{work}/db.sqlite", "SECRET_KEY": "cli-check", "PBKDF2_ITERATIONS": "1000",
        "ACCOUNT_EMAIL_VERIFICATION": "none", "REST_AUTH_MFA_ENABLED": "true", "REST_AUTH_MFA_TOTP_ISSUER": "Example",
    })
    demo = subprocess.Popen([args.demo, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=open(f"{work}/demo.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    tool_env = {**os.environ, "XDG_CONFIG_HOME": f"{work}/config"}
    tool_env.pop("RESTAUTH_SERVER", None)

    def tool(*words, stdin=""):
        done = subprocess.run([args.restauth, *words], input=stdin, capture_output=True, text=True, env=tool_env,
                              timeout=60)
        return done.returncode, done.stdout, done.stderr

    try:
        checklib.wait_http(f"{base}/health", [demo], 60, "the demo")
        status, _, _ = checklib.call(base, "POST", "registration/", {
            "username": "ada", "email": "ada@example.com", "password1": "Sturdy-Lantern-8412",
            "password2": "Sturdy-Lantern-8412"})
        check(status == 201, f"sign-up through the API: {status}")

        rc, out, err = tool("login", "--server", server, "--username", "ada", stdin="wrong password\n")
        check(rc == 1 and "Unable to log in with provided credentials." in err, f"a wrong password: {rc} {err!r}")
        rc, out, err = tool("login", "--server", server, "--username", "ada", stdin="Sturdy-Lantern-8412\n")
        check(rc == 0 and "Signed in as ada (token)" in out, f"login: {rc} {out!r} {err!r}")
        saved = os.path.join(work, "config", "restauth")
        files = [f for f in os.listdir(saved) if f.endswith(".json")] if os.path.isdir(saved) else []
        mode = oct(os.stat(os.path.join(saved, files[0])).st_mode & 0o777) if files else None
        check(mode == "0o600", f"the credential file is its owner's only: {files} {mode}")
        rc, out, err = tool("whoami")
        check(rc == 0 and re.search(r"username:\s+ada", out) and "ada@example.com" in out,
              f"whoami with the saved server: {rc} {out!r} {err!r}")

        # mfa enable: the secret is read off the screen, the code typed back on stdin.
        process = subprocess.Popen([args.restauth, "mfa", "enable"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=tool_env)
        screen = ""
        secret = None
        while secret is None:
            line = process.stdout.readline()
            if not line:
                break
            screen += line
            found = re.match(r"Secret:\s+([A-Z2-7]+)", line)
            secret = found.group(1) if found else None
        step = int(time.time()) // 30
        out, err = process.communicate(totp(secret, step - 1) + "\n" if secret else "", timeout=60)
        screen += out
        check(secret is not None and "otpauth://totp/Example:ada" in screen and "▀" in screen and "▄" in screen,
              f"mfa enable shows the URI, the secret and the QR code: {screen[:200]!r} {err!r}")
        codes = re.findall(r"^\s+([a-z0-9]{4,}(?:-[a-z0-9]+)*)\s*$", out, re.M)
        check(process.returncode == 0 and "Two-factor authentication is on." in out and len(codes) >= 8,
              f"the code turns it on and the recovery codes are shown: {process.returncode} {len(codes)} {err!r}")
        rc, out, err = tool("mfa", "status")
        check(rc == 0 and "Two-factor authentication: on" in out, f"mfa status: {out!r} {err!r}")

        rc, out, err = tool("logout")
        check(rc == 0, f"logout: {rc} {out!r} {err!r}")
        rc, out, err = tool("whoami")
        check(rc == 1 and "Not signed in" in err, f"whoami after logout: {rc} {err!r}")
        rc, out, err = tool("login", "--username", "ada", "--code", totp(secret, step),
                            stdin="Sturdy-Lantern-8412\n")
        check(rc == 0 and "Signed in as ada" in out, f"login with the second step: {rc} {out!r} {err!r}")
        rc, out, err = tool("password", "change", "--new", "Other-Lantern-9931")
        check(rc == 0, f"password change: {rc} {out!r} {err!r}")
        rc, out, err = tool("logout")
        if codes:
            rc, out, err = tool("login", "--username", "ada", "--code", codes[0], stdin="Other-Lantern-9931\n")
            check(rc == 0 and "Signed in as ada" in out, f"the new password and a recovery code: {rc} {out!r} {err!r}")
    except checklib.Failure as failure:
        check(False, str(failure))
    finally:
        checklib.stop(demo)
    if checklib.failures:
        print(open(f"{work}/demo.log").read()[-3000:])
        sys.exit(f"{len(checklib.failures)} restauth check(s) failed")


if __name__ == "__main__":
    main()
