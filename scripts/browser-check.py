#!/usr/bin/env python3
"""Browser check of the demo page: headless Chromium (Selenium) walks a user's whole
account life through the page the demo serves at /, reading the demo's e-mails from
an SMTP sink of its own.

    python3 scripts/browser-check.py --demo .build/debug/RestAuthDemo --mode token|session|jwt-cookie \
        --screenshots DIR [--mfa]

Needs Debian's chromium and chromium-driver and pip's selenium. Starts the demo on a
free port with a fresh SQLite database, mandatory e-mail verification and its mail
going to the sink, then: sign-up, confirmation link from the e-mail, login, profile
edit (checked after a reload), password change, logout, reset request, reset link
from the e-mail, new password, and login with it (the old one is refused, with the
server's message shown at the form). In jwt-cookie mode the page is also reloaded
after login, without the access cookie, and must stay logged in through the HttpOnly
refresh cookie, with no token in web storage. In session mode (no token model) every
change the page makes carries the CSRF header, under the names the settings give. Without --mfa the
page must not show its two-factor card (the demo's mfa/ routes are off).

With --mfa the demo runs with REST_AUTH_MFA_ENABLED=true and the walk goes on with
two-factor authentication through the page: turn it on (a wrong code first, then a
code computed here from the key the page shows; the QR code must be a displayed
image), recovery codes shown; log out, log in with the password and then a TOTP
code at the second step (a wrong code first), still logged in after a reload; log
out, log in with a recovery code; show and regenerate the recovery codes; turn it
off (a recovery code is refused there, a TOTP code is taken); log in with the
password alone. TOTP codes (RFC 6238) are spent in increasing steps, as an
authenticator app would, waiting for the next 30 s step only when all the accepted
ones are spent.

With --passkeys the demo runs with REST_AUTH_PASSKEYS_ENABLED=true (RP ID localhost, the
page opened at http://localhost:PORT, its one origin) and the walk ends with passkeys through
the browser's real WebAuthn API, answered by Chromium's virtual authenticator (the DevTools
protocol's WebAuthn domain: CTAP2, resident keys, user verification): add a named passkey, log
out, sign in with it (no username typed), see it listed as used, sign in again scoped to the
username, delete it, and find that the authenticator's leftover credential is refused
("Credential not found."). Without it the page must not offer passkeys.

One line per step, a screenshot per step in DIR; exits non-zero with the reason on
any failure. Bounded by --timeout.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checklib  # noqa: E402
from checklib import Failure, SmtpSink, free_port  # noqa: E402

PASSWORD = "Sturdy-Lantern-8412"
CHANGED_PASSWORD = "Quiet-Harbor-5937"
RESET_PASSWORD = "Amber-Compass-2718"
PHONE = (390, 844)
DESKTOP = (1280, 900)
CONFIRM_RE = re.compile(r"https?://[^\s\"'<>]+/account-confirm-email/[^/\s\"'<>]+/")
RESET_RE = re.compile(r"https?://[^\s\"'<>]+/password-reset/confirm/[^/\s\"'<>]+/[^/\s\"'<>]+/")
RECOVERY_RE = re.compile(r"^[0-9a-f]{4}-[0-9a-f]{4}$")
BASE32_RE = re.compile(r"^[A-Z2-7]{16,}=*$")
TOTP_PERIOD = 30
MODES = {
    "token": {},
    # Session cookies only: every unsafe request needs the CSRF pair, under names of the
    # configuration's choosing, which the page must read from its settings.
    "session": {
        "REST_AUTH_TOKEN_MODEL": "None",
        "REST_AUTH_SESSION_LOGIN": "true",
        "CSRF_COOKIE_NAME": "demo_csrf",
        "CSRF_HEADER_NAME": "HTTP_X_DEMO_CSRF",
    },
    "jwt-cookie": {
        "REST_AUTH_USE_JWT": "true",
        "REST_AUTH_JWT_AUTH_COOKIE": "jwt-auth",
        "REST_AUTH_JWT_AUTH_REFRESH_COOKIE": "jwt-refresh",
        "REST_AUTH_SESSION_LOGIN": "false",
    },
}


class Demo:
    """The demo server (and, for development only, a proxy in front of it)."""

    def __init__(self, args, sink, workdir):
        self.port = free_port()
        self.log_path = os.path.join(workdir, "demo.log")
        self.settings = {
            "DATABASE_URL": "sqlite://" + os.path.join(workdir, "demo.sqlite"),
            "SECRET_KEY": "browser-check-" + uuid.uuid4().hex,
            "PBKDF2_ITERATIONS": "1000",
            "ACCOUNT_RATE_LIMITS": "false",
            "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "false",
            **MODES[args.mode],
        }
        if args.mfa:
            self.settings["REST_AUTH_MFA_ENABLED"] = "true"
        if args.passkeys:
            self.settings.update({
                "REST_AUTH_PASSKEYS_ENABLED": "true", "PASSKEY_RP_ID": "localhost", "PASSKEY_RP_NAME": "RestAuth demo",
                "PASSKEY_RP_ORIGINS": json.dumps([f"http://localhost:{self.port}"]),
            })
        if args.email_optional:
            self.settings["ACCOUNT_SIGNUP_FIELDS"] = '["username*", "email", "password1*", "password2*"]'
        env = checklib.demo_environment(self.settings)
        self.env = env
        self.log = open(self.log_path, "w")
        self.procs = []
        self._spawn([args.demo, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)], env, workdir)
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_http(self.base + "/health", 30, "the demo")
        if args.passkeys:  # a WebAuthn RP ID is a domain: the page is opened by name
            self.base = f"http://localhost:{self.port}"
        if args.dev_proxy_cmd:  # development only: a proxy that serves the page in front of the demo
            port = free_port()
            proxy_env = dict(env, DEMO_BASE=self.base, PORT=str(port))
            self._spawn(["/bin/sh", "-c", args.dev_proxy_cmd], proxy_env, workdir)
            self.base = f"http://127.0.0.1:{port}"
            self._wait_http(self.base + "/demo/config.json", 15, "the dev proxy")

    def _spawn(self, argv, env, cwd):
        self.procs.append(subprocess.Popen(argv, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, start_new_session=True))

    def _wait_http(self, url, timeout, what):
        try:
            checklib.wait_http(url, self.procs, timeout, what)
        except Failure as failure:
            raise Failure(f"{failure}; log: {self.log_path}") from None

    def stop(self):
        for p in reversed(self.procs):
            checklib.stop(p, timeout=5)
        self.log.close()

    def tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def totp(secret, counter, digits=6):
    """The RFC 6238 code of a base32 secret for a step counter (HMAC-SHA1)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = int.from_bytes(mac[off:off + 4], "big") & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


class Authenticator:
    """An authenticator app for one secret. The server takes a code of the previous,
    current or next step, each step once and only after the last one used (activation
    counts): so the steps are spent in increasing order, the first one step back."""

    def __init__(self, secret):
        self.secret = secret
        self.last = None

    def code(self):
        left = TOTP_PERIOD - time.time() % TOTP_PERIOD
        if left < 3:  # the request lands in the next step: start there
            time.sleep(left + 0.1)
        now = int(time.time() // TOTP_PERIOD)
        step = now - 1 if self.last is None else max(self.last + 1, now - 1)
        if step > now + 1:  # the accepted steps are spent: at most one period to wait
            wait = (step - 1) * TOTP_PERIOD - time.time() + 0.1
            print(f"   (waiting {wait:.0f}s for the next TOTP step)", flush=True)
            time.sleep(max(wait, 0))
        self.last = step
        return totp(self.secret, step)

    def wrong(self):
        """A code that no step near now accepts."""
        now = int(time.time() // TOTP_PERIOD)
        near = {totp(self.secret, now + k) for k in range(-2, 4)}
        return next(x for x in ("000000", "111111", "222222", "333333") if x not in near)


def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver_path = shutil.which("chromedriver") or "/usr/lib/chromium/chromedriver"
    if not chromium or not os.path.exists(driver_path):
        raise Failure("chromium and chromedriver are needed: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-proxy-server",
                "--password-store=basic", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(15)
    driver.set_script_timeout(10)
    return driver


class Walk:
    def __init__(self, driver, base, sink, shots):
        self.d = driver
        self.base = base
        self.sink = sink
        self.shots = shots
        self.count = 0

    # --- page helpers -------------------------------------------------------------
    def el(self, id_):
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.ID, id_)

    def text(self, id_):
        return (self.el(id_).get_attribute("textContent") or "").strip()

    def wait(self, predicate, what, timeout=10):
        from selenium.common.exceptions import TimeoutException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def check(_):
            try:
                return predicate()
            except WebDriverException:
                return False
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.1).until(check)
        except TimeoutException:
            raise Failure(f"timed out after {timeout}s waiting for {what}; {self.state()}") from None

    def state(self):
        try:
            errors = self.d.execute_script(
                "return [...document.querySelectorAll('[id^=error-]')].filter(e => e.textContent)"
                ".map(e => e.id + '=' + JSON.stringify(e.textContent)).join(', ')")
            return (f"page {self.d.current_url!r}, whoami {self.text('whoami')!r}, message {self.text('message')!r}, "
                    f"fatal {self.text('fatal')!r}, errors: {errors or 'none'}")
        except Exception as exc:  # the page itself may be the problem
            return f"page state unavailable ({exc.__class__.__name__})"

    def open(self, url):
        self.d.get(url)
        self.ready()

    def ready(self):
        self.wait(lambda: self.d.execute_script("return document.body && document.body.dataset.ready === 'true'"),
                  "the page to load its configuration")

    def fill(self, id_, value):
        field = self.el(id_)
        field.clear()
        field.send_keys(value)

    def click(self, id_):
        self.wait(lambda: self.el(id_).is_displayed() and self.el(id_).is_enabled(), f"#{id_} to be clickable")
        self.el(id_).click()

    def pick_language(self, value):
        self.d.execute_script(
            "const s = document.getElementById('language'); s.value = arguments[0];"
            "s.dispatchEvent(new Event('change'));", value)

    def message(self, fragment):
        self.wait(lambda: self.el("message").is_displayed() and fragment in self.text("message"),
                  f"the message {fragment!r}")

    def error(self, id_, fragment):
        self.wait(lambda: self.el(id_).is_displayed() and fragment in self.text(id_), f"#{id_} to show {fragment!r}")

    def signed_in(self, username):
        self.wait(lambda: self.el("signed-in").is_displayed() and self.text("whoami") == f"Signed in as {username}",
                  f"the page to show {username!r} signed in")

    def signed_out(self):
        self.wait(lambda: self.el("signed-out").is_displayed() and self.text("whoami") == "Not signed in",
                  "the page to show nobody signed in")

    def size(self, wh):
        self.d.set_window_size(*wh)

    def no_overflow(self):
        width = self.d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            raise Failure(f"the page is wider than the phone's viewport: {width[0]}px > {width[1]}px")

    def storage(self):
        return self.d.execute_script(
            "return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])")

    def step(self, name, detail):
        self.count += 1
        path = os.path.join(self.shots, f"{self.count:02d}-{name}.png")
        self.d.save_screenshot(path)
        print(f"ok {self.count:2d} {name}: {detail}", flush=True)

    def login(self, login, password):
        self.fill("login-login", login)
        self.fill("login-password", password)
        self.click("login-submit")

    # --- the walk -------------------------------------------------------------------
    def credentials(self, mode):
        """What the page holds after a login: [a DRF key in storage, a refresh cookie, a session]."""
        names = {c["name"] for c in self.d.get_cookies()}
        return [k for k, present in (("token", "restauth-demo-token" in self.storage()),
                                     ("jwt-refresh", "jwt-refresh" in names),
                                     ("sessionid", "sessionid" in names)) if present]

    def run(self, mode, mfa=False, email_optional=False, passkeys=False):
        tag = uuid.uuid4().hex[:8]
        username, address = f"ada{tag}", f"ada{tag}@example.com"
        renamed = f"lovelace{tag}"

        self.size(PHONE)
        self.open(self.base + "/")
        self.signed_out()
        self.no_overflow()
        if email_optional:
            label = self.d.find_element("css selector", 'label[for="signup-email"]').text
            if "optional" not in label or self.el("signup-email").get_attribute("required") is not None:
                raise Failure(f"ACCOUNT_SIGNUP_FIELDS makes the address optional, but the form says {label!r}")
            self.fill("signup-username", f"noaddress{tag}")
            self.fill("signup-password1", PASSWORD)
            self.fill("signup-password2", PASSWORD)
            self.click("signup-submit")
            self.message("Verification e-mail sent.")
            self.step("signup-without-address", "the address is marked optional, and a sign-up without one is accepted")
            self.open(self.base + "/")
            self.signed_out()
        self.fill("signup-username", username)
        self.fill("signup-email", address)
        self.fill("signup-password1", PASSWORD)
        self.fill("signup-password2", PASSWORD)
        self.click("signup-submit")
        self.message("Verification e-mail sent.")
        self.step("signup", f"{username} signed up at {PHONE[0]}x{PHONE[1]}; the page asks to confirm the address")

        self.size(DESKTOP)
        self.login(username, PASSWORD)
        self.error("error-login-non_field_errors", "E-mail is not verified.")
        self.step("login-unverified", "login before confirming shows the server's 'E-mail is not verified.'")

        link = self.sink.link(address, CONFIRM_RE)
        if not link.startswith(self.base + "/"):
            raise Failure(f"the confirmation link {link!r} does not point at the page's origin {self.base}")
        self.open(link)
        self.wait(lambda: self.el("confirm-email-submit").is_displayed(), "the confirmation button")
        self.step("confirm-page", f"opened the e-mail's link {link[len(self.base):]}")
        self.click("confirm-email-submit")
        self.message("e-mail address is confirmed")
        if self.d.execute_script("return location.pathname") != "/":
            raise Failure("after confirming, the page did not return to /")
        self.step("confirmed", "verify-email accepted the key")

        login = address if mode == "jwt-cookie" else username
        self.login(login, PASSWORD)
        self.signed_in(username)
        self.message("You are logged in.")
        if not mfa and self.el("section-mfa").is_displayed():
            raise Failure("the two-factor card shows although the demo has no mfa/ routes")
        stored = self.storage()
        if "eyJ" in stored:
            raise Failure(f"a JWT is readable from web storage or document.cookie: {stored[:200]}")
        if mode == "token" and "restauth-demo-token" not in stored:
            raise Failure("token mode: the DRF key is not in sessionStorage")
        if mode == "session":
            names = {c["name"] for c in self.d.get_cookies()}
            if not {"sessionid", "demo_csrf"} <= names:
                raise Failure(f"session mode: no session and CSRF cookies after login (cookies: {sorted(names)})")
            if "restauth-demo-token" in stored:
                raise Failure("session mode: a token was stored")
        self.step("login", f"logged in with the {'e-mail address' if '@' in login else 'username'}")

        if mode == "jwt-cookie":
            names = {c["name"] for c in self.d.get_cookies()}
            if "jwt-refresh" not in names:
                raise Failure(f"no jwt-refresh cookie after login (cookies: {sorted(names)})")
            self.d.delete_cookie("jwt-auth")  # only the HttpOnly refresh cookie is left to get back in
            self.d.refresh()
            self.ready()
            self.signed_in(username)
            if "eyJ" in self.storage():
                raise Failure("after the reload a JWT is readable from web storage or document.cookie")
            self.step("reload-refresh", "reloaded without the access cookie: still logged in via token/refresh/")

        self.fill("profile-username", "")
        self.click("profile-submit")
        self.error("error-profile-username", "This field may not be blank.")
        self.step("profile-error", "a blank username shows the server's error next to the field")

        self.size(PHONE)
        self.fill("profile-username", renamed)
        self.fill("profile-first_name", "Ada")
        self.fill("profile-last_name", "Lovelace")
        self.click("profile-submit")
        self.message("Profile saved.")
        self.d.refresh()
        self.ready()
        self.signed_in(renamed)
        got = {f: self.el(f"profile-{f}").get_attribute("value") for f in ("username", "first_name", "last_name")}
        if got != {"username": renamed, "first_name": "Ada", "last_name": "Lovelace"}:
            raise Failure(f"the profile did not persist across a reload: {got}")
        self.no_overflow()
        self.step("profile", f"renamed to {renamed}, Ada Lovelace; still there after a reload ({PHONE[0]}px wide)")
        self.size(DESKTOP)

        self.fill("password-new_password1", CHANGED_PASSWORD)
        self.fill("password-new_password2", CHANGED_PASSWORD)
        self.click("password-submit")
        self.message("New password has been saved.")
        self.step("password-change", "password/change/ accepted the new password")

        self.click("logout-submit")
        self.signed_out()
        self.message("You are logged out.")
        self.d.refresh()
        self.ready()
        self.signed_out()
        self.step("logout", "logged out, and still logged out after a reload")

        self.fill("reset-email", address)
        self.click("reset-submit")
        self.message("Password reset e-mail has been sent.")
        self.step("reset-request", "password/reset/ sent the mail")

        link = self.sink.link(address, RESET_RE)
        if not link.startswith(self.base + "/"):
            raise Failure(f"the reset link {link!r} does not point at the page's origin {self.base}")
        self.open(link)
        self.wait(lambda: self.el("reset-confirm-submit").is_displayed(), "the new-password form")
        self.fill("reset-confirm-new_password1", RESET_PASSWORD)
        self.fill("reset-confirm-new_password2", RESET_PASSWORD)
        self.click("reset-confirm-submit")
        self.message("Password has been reset with the new password.")
        self.step("reset-confirm", "set a new password from the e-mail's reset link")

        self.login(renamed, CHANGED_PASSWORD)
        self.error("error-login-non_field_errors", "Unable to log in with provided credentials.")
        if self.text("whoami") != "Not signed in":
            raise Failure("the old password logged in")
        self.step("login-old-password", "the password from before the reset is refused, message at the form")

        # The server's messages in the language picked in the header (Accept-Language).
        self.pick_language("de")
        self.login(renamed, CHANGED_PASSWORD)
        self.error("error-login-non_field_errors", "Die angegebenen Zugangsdaten stimmen nicht.")
        self.pick_language("")
        self.step("language", "with Deutsch picked, the same refusal comes in German; back to the browser's language")

        self.size(PHONE)
        self.login(renamed, RESET_PASSWORD)
        self.signed_in(renamed)
        self.no_overflow()
        self.step("login-new-password", f"logged in with the new password ({PHONE[0]}px wide)")

        if mfa:
            self.size(DESKTOP)
            self.run_mfa(mode, renamed, RESET_PASSWORD)
        if passkeys:
            self.size(DESKTOP)
            self.run_passkeys(mode, renamed)
        elif self.el("section-passkeys").is_displayed() or self.el("passkey-login-block").is_displayed():
            raise Failure("the page offers passkeys although the demo has no passkeys/ routes")

        uncaught = [e["message"] for e in self.d.get_log("browser") if "Uncaught" in e.get("message", "")]
        if uncaught:
            raise Failure(f"the page threw: {uncaught[:3]}")

    def passkey_rows(self):
        return [li.get_attribute("textContent").strip()
                for li in self.el("passkeys-list").find_elements("css selector", "li")]

    def run_passkeys(self, mode, username):
        expected = {"token": "token", "jwt-cookie": "jwt-refresh", "session": "sessionid"}[mode]
        self.wait(lambda: self.el("section-passkeys").is_displayed() and self.passkey_rows() == ["No passkeys yet."],
                  "the passkeys card, empty")
        self.d.execute_cdp_cmd("WebAuthn.enable", {"enableUI": False})
        self.d.execute_cdp_cmd("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True, "automaticPresenceSimulation": True}})
        self.fill("passkey-add-name", "Laptop")
        self.click("passkey-add-submit")
        self.message('The passkey "Laptop" is added')
        self.wait(lambda: len(self.passkey_rows()) == 1 and "Laptop" in self.passkey_rows()[0]
                  and "not used yet" in self.passkey_rows()[0], "the new passkey in the list")
        self.step("passkey-added", "a passkey made by the browser's WebAuthn API is registered and listed")

        self.logout()
        self.wait(lambda: self.el("passkey-login").is_displayed(), "the passkey sign-in button")
        self.click("passkey-login")
        self.signed_in(username)
        self.message("You are logged in with your passkey.")
        if expected not in self.credentials(mode):
            raise Failure(f"{mode} mode: no {expected} after a passkey login (holding {self.credentials(mode)})")
        self.wait(lambda: len(self.passkey_rows()) == 1 and "last used" in self.passkey_rows()[0],
                  "the passkey listed as used")
        self.step("passkey-login", "signed in with the passkey alone (discoverable, no username), listed as used")

        self.logout()
        self.fill("login-login", username)
        self.click("passkey-login")
        self.signed_in(username)
        self.step("passkey-login-scoped", "signed in with the passkey, the options scoped to the typed username")

        button = self.el("passkeys-list").find_element("css selector", "button")
        button.click()
        self.message('The passkey "Laptop" is deleted.')
        self.wait(lambda: self.passkey_rows() == ["No passkeys yet."], "the emptied list")
        self.step("passkey-deleted", "the passkey is deleted from the list")

        self.logout()
        self.click("passkey-login")
        self.error("error-passkey-login-non_field_errors", "Credential not found.")
        if self.text("whoami") != "Not signed in":
            raise Failure("a deleted passkey signed in")
        self.step("passkey-refused", "the authenticator's leftover credential is refused: Credential not found.")

    def codes(self):
        return [li.get_attribute("textContent").strip()
                for li in self.el("mfa-codes-list").find_elements("css selector", "li")]

    def logout(self):
        self.click("logout-submit")
        self.signed_out()
        self.message("You are logged out.")

    def second_step(self, login, password, mode):
        self.login(login, password)
        self.wait(lambda: self.el("mfa-verify-code").is_displayed(), "the second-step form (a code)")
        if self.el("form-login").is_displayed():
            raise Failure("the password form still shows at the second step")
        if self.text("whoami") != "Not signed in":
            raise Failure(f"signed in before the second step: {self.text('whoami')!r}")
        held = self.credentials(mode)
        if held:
            raise Failure(f"the password step alone left credentials: {held}")
        active = self.d.execute_script("return document.activeElement && document.activeElement.id")
        if active != "mfa-verify-code":
            raise Failure(f"the second step did not move the focus to its code field (focus on {active!r})")

    def verify(self, code, username, mode):
        self.fill("mfa-verify-code", code)
        self.click("mfa-verify-submit")
        self.signed_in(username)
        self.message("You are logged in.")
        stored = self.storage()
        if "eyJ" in stored:
            raise Failure(f"after mfa/verify/ a JWT is readable from web storage or document.cookie: {stored[:200]}")
        expected = {"token": "token", "jwt-cookie": "jwt-refresh", "session": "sessionid"}[mode]
        if expected not in self.credentials(mode):
            raise Failure(f"{mode} mode: no {expected} after mfa/verify/ (holding {self.credentials(mode)})")
        if self.el("form-mfa-verify").is_displayed():
            raise Failure("the second-step form still shows after signing in")

    def run_mfa(self, mode, username, password):
        self.wait(lambda: self.el("section-mfa").is_displayed() and self.text("mfa-status").startswith("Off"),
                  "the two-factor card, off")
        self.step("mfa-card", f"the two-factor card shows: {self.text('mfa-status')!r}")

        self.size(PHONE)
        self.click("mfa-activate-start")
        self.wait(lambda: self.el("form-mfa-activate").is_displayed() and self.text("mfa-activate-secret"),
                  "the set-up form with the key")
        secret = self.text("mfa-activate-secret")
        if not BASE32_RE.match(secret):
            raise Failure(f"the key shown is not a base32 secret: {secret!r}")
        self.wait(lambda: self.d.execute_script(
            "const i = document.getElementById('mfa-activate-qr');"
            "return i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0"), "the QR code image")
        qr = self.d.execute_script("const i = document.getElementById('mfa-activate-qr');"
                                   "return [i.naturalWidth, i.naturalHeight, Math.round(i.getBoundingClientRect().width),"
                                   " i.src.slice(0, 26), i.alt]")
        if qr[3] != "data:image/svg+xml;base64,":
            raise Failure(f"the QR image is not the server's SVG data URI: {qr[3]!r}")
        if not qr[4]:
            raise Failure("the QR image has no alt text")
        if self.el("mfa-activate-start").is_displayed():
            raise Failure("'Turn on' still shows during the set-up")
        self.no_overflow()
        self.step("mfa-setup", f"Turn on: QR code {qr[0]}x{qr[1]} shown {qr[2]}px wide and the key "
                               f"{secret[:4]}… ({PHONE[0]}px wide)")
        self.size(DESKTOP)

        app = Authenticator(secret)
        self.fill("mfa-activate-code", app.wrong())
        self.click("mfa-activate-submit")
        self.error("error-mfa-activate-code", "Invalid code.")
        if self.el("mfa-activate-code").get_attribute("aria-invalid") != "true":
            raise Failure("the refused code's field is not marked aria-invalid")
        self.step("mfa-activate-error", f"a wrong code: {self.text('error-mfa-activate-code')!r} at the field")

        self.fill("mfa-activate-code", app.code())
        self.click("mfa-activate-submit")
        self.message("Two-factor authentication is on.")
        self.wait(lambda: self.el("mfa-codes").is_displayed() and self.codes(), "the recovery codes")
        codes = self.codes()
        if len(codes) != 10 or not all(RECOVERY_RE.match(c) for c in codes) or len(set(codes)) != 10:
            raise Failure(f"the recovery codes shown are not 10 distinct xxxx-xxxx codes: {codes}")
        if "Keep these codes somewhere safe" not in self.text("mfa-codes-note"):
            raise Failure(f"no note to keep the recovery codes: {self.text('mfa-codes-note')!r}")
        self.wait(lambda: self.text("mfa-status").startswith("On"), "the status to say on")
        if self.el("form-mfa-activate").is_displayed() or not self.el("mfa-deactivate-start").is_displayed():
            raise Failure("after turning on, the set-up form still shows or 'Turn off' does not")
        if self.el("mfa-activate-qr").get_attribute("src") or self.text("mfa-activate-secret"):
            raise Failure("the key or QR code stays in the page after turning on")
        self.step("mfa-on", f"a code from the key turned it on; {len(codes)} recovery codes shown with the note")

        self.logout()
        if self.el("mfa-codes").is_displayed() or self.codes():
            raise Failure("the recovery codes stay in the page after logging out")
        self.second_step(username, password, mode)
        self.step("mfa-second-step", "the password alone asks for a code and signs nobody in")

        self.fill("mfa-verify-code", app.wrong())
        self.click("mfa-verify-submit")
        self.error("error-mfa-verify-code", "Invalid code.")
        if self.text("whoami") != "Not signed in":
            raise Failure("a wrong code signed in")
        self.step("mfa-verify-error", f"a wrong code: {self.text('error-mfa-verify-code')!r} at the field")

        self.verify(app.code(), username, mode)
        self.d.refresh()
        self.ready()
        self.signed_in(username)
        self.wait(lambda: self.text("mfa-status").startswith("On"), "the status to say on after the reload")
        self.step("mfa-login-totp", f"the TOTP code at the second step signed in ({mode}); still in after a reload")

        self.logout()
        self.second_step(username, password, mode)
        self.verify(codes[0], username, mode)
        self.step("mfa-login-recovery", f"a recovery code ({codes[0]}) at the second step signed in")

        self.click("mfa-codes-show")
        self.wait(lambda: self.el("mfa-codes").is_displayed() and self.codes(), "the unused recovery codes")
        if self.codes() != codes[1:]:
            raise Failure(f"the unused recovery codes should be the nine not used: {self.codes()} vs {codes[1:]}")
        if self.el("mfa-codes-show").get_attribute("aria-expanded") != "true":
            raise Failure("'Show recovery codes' is not aria-expanded with the codes shown")
        self.step("mfa-codes", f"Show recovery codes: the {len(codes) - 1} unused ones")

        self.click("mfa-codes-regenerate")
        self.message("New recovery codes")
        self.wait(lambda: self.codes() and set(self.codes()).isdisjoint(codes), "new recovery codes")
        fresh = self.codes()
        if len(fresh) != 10 or not all(RECOVERY_RE.match(c) for c in fresh):
            raise Failure(f"the regenerated codes are not 10 xxxx-xxxx codes: {fresh}")
        if "old ones no longer work" not in self.text("mfa-codes-note"):
            raise Failure(f"no note that the old codes stop working: {self.text('mfa-codes-note')!r}")
        self.step("mfa-regenerate", "Regenerate: 10 new codes, none of the old ones")

        self.click("mfa-deactivate-start")
        self.wait(lambda: self.el("mfa-deactivate-code").is_displayed(), "the code field for turning off")
        self.fill("mfa-deactivate-code", fresh[0])
        self.click("mfa-deactivate-submit")
        self.error("error-mfa-deactivate-code", "Invalid code.")
        self.fill("mfa-deactivate-code", app.code())
        self.click("mfa-deactivate-submit")
        self.message("TOTP has been deactivated.")
        self.wait(lambda: self.text("mfa-status").startswith("Off") and self.el("mfa-activate-start").is_displayed(),
                  "the status to say off")
        if self.el("mfa-codes").is_displayed() or self.el("form-mfa-deactivate").is_displayed():
            raise Failure("after turning off, the recovery codes or the code field still show")
        self.step("mfa-off", "Turn off: a recovery code is refused there, a TOTP code turns it off")

        self.logout()
        self.login(username, password)
        self.signed_in(username)
        self.message("You are logged in.")
        if self.el("form-mfa-verify").is_displayed():
            raise Failure("the second step still shows after turning MFA off")
        self.step("mfa-login-password", "with two-factor off, the password alone signs in")


def main():
    parser = argparse.ArgumentParser(description="Headless-Chromium check of the demo page.")
    parser.add_argument("--demo", required=True, help="path of the RestAuthDemo executable")
    parser.add_argument("--mode", choices=sorted(MODES), default="token")
    parser.add_argument("--screenshots", required=True, help="folder for one PNG per step")
    parser.add_argument("--mfa", action="store_true",
                        help="run the demo with REST_AUTH_MFA_ENABLED=true and walk two-factor authentication too")
    parser.add_argument("--passkeys", action="store_true",
                        help="passkeys on (RP ID localhost), walked with Chromium's virtual authenticator")
    parser.add_argument("--email-optional", action="store_true",
                        help="run the demo with an optional address (ACCOUNT_SIGNUP_FIELDS) and sign up without one too")
    parser.add_argument("--timeout", type=int, help="limit for the whole run, in seconds (150; 240 with --mfa)")
    parser.add_argument("--dev-proxy-cmd", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.demo = os.path.abspath(args.demo)
    if args.timeout is None:
        args.timeout = (240 if args.mfa else 150) + (60 if args.passkeys else 0)
    if not os.access(args.demo, os.X_OK):
        sys.exit(f"browser-check: FAIL: {args.demo} is not an executable")
    os.makedirs(args.screenshots, exist_ok=True)

    def out_of_time(*_):
        raise Failure(f"the run took longer than --timeout {args.timeout}s")
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)

    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="browser-check.")
    sink, demo, driver, walk = SmtpSink(), None, None, None
    try:
        try:
            import selenium  # noqa: F401
        except ImportError:
            raise Failure("the selenium package is needed: pip install selenium") from None
        sink.start()
        demo = Demo(args, sink, workdir)
        driver = start_browser()
        print(f"browser-check: mode {args.mode}{' with MFA' if args.mfa else ''}, page at {demo.base}", flush=True)
        walk = Walk(driver, demo.base, sink, args.screenshots)
        walk.run(args.mode, mfa=args.mfa, email_optional=args.email_optional, passkeys=args.passkeys)
        signal.alarm(0)
        print(f"browser-check: {args.mode}{' + mfa' if args.mfa else ''}: {walk.count} steps passed in {time.monotonic() - started:.1f}s; "
              f"screenshots in {args.screenshots}", flush=True)
        return 0
    except Exception as failure:  # Failure, or the browser or driver giving up
        signal.alarm(0)
        step = walk.count + 1 if walk else 0
        reason = failure if isinstance(failure, Failure) else f"{failure.__class__.__name__}: {failure}"
        print(f"browser-check: FAIL ({args.mode}, step {step}): {reason}", file=sys.stderr, flush=True)
        if driver is not None:
            try:
                driver.save_screenshot(os.path.join(args.screenshots, "failure.png"))
                for entry in driver.get_log("browser")[-10:]:
                    print(f"  console: {entry.get('level')} {entry.get('message')}", file=sys.stderr)
            except Exception:
                pass
        if demo is not None:
            print("  last lines of the demo's log:\n" + demo.tail(), file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        if demo is not None:
            demo.stop()
        sink.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
