#!/usr/bin/env python3
"""Browser check of the demo page: headless Chromium (Selenium) walks a user's whole
account life through the page the demo serves at /, reading the demo's e-mails from
an SMTP sink of its own.

    python3 scripts/browser-check.py --demo .build/debug/RestAuthDemo --mode token|session|jwt-cookie \
        --screenshots DIR

Needs Debian's chromium and chromium-driver and pip's selenium. Starts the demo on a
free port with a fresh SQLite database, mandatory e-mail verification and its mail
going to the sink, then: sign-up, confirmation link from the e-mail, login, profile
edit (checked after a reload), password change, logout, reset request, reset link
from the e-mail, new password, and login with it (the old one is refused, with the
server's message shown at the form). In jwt-cookie mode the page is also reloaded
after login, without the access cookie, and must stay logged in through the HttpOnly
refresh cookie, with no token in web storage. In session mode (no token model) every
change the page makes carries the CSRF header, under the names the settings give. One line per step, a screenshot per
step in DIR; exits non-zero with the reason on any failure. Bounded by --timeout.
"""
import argparse
import os
import re
import shutil
import signal
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
        env = checklib.demo_environment(self.settings)
        self.env = env
        self.log = open(self.log_path, "w")
        self.procs = []
        self._spawn([args.demo, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)], env, workdir)
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_http(self.base + "/health", 30, "the demo")
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
    def run(self, mode):
        tag = uuid.uuid4().hex[:8]
        username, address = f"ada{tag}", f"ada{tag}@example.com"
        renamed = f"lovelace{tag}"

        self.size(PHONE)
        self.open(self.base + "/")
        self.signed_out()
        self.no_overflow()
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

        self.size(PHONE)
        self.login(renamed, RESET_PASSWORD)
        self.signed_in(renamed)
        self.no_overflow()
        self.step("login-new-password", f"logged in with the new password ({PHONE[0]}px wide)")

        uncaught = [e["message"] for e in self.d.get_log("browser") if "Uncaught" in e.get("message", "")]
        if uncaught:
            raise Failure(f"the page threw: {uncaught[:3]}")


def main():
    parser = argparse.ArgumentParser(description="Headless-Chromium check of the demo page.")
    parser.add_argument("--demo", required=True, help="path of the RestAuthDemo executable")
    parser.add_argument("--mode", choices=sorted(MODES), default="token")
    parser.add_argument("--screenshots", required=True, help="folder for one PNG per step")
    parser.add_argument("--timeout", type=int, default=150, help="limit for the whole run, in seconds")
    parser.add_argument("--dev-proxy-cmd", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.demo = os.path.abspath(args.demo)
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
        print(f"browser-check: mode {args.mode}, page at {demo.base}", flush=True)
        walk = Walk(driver, demo.base, sink, args.screenshots)
        walk.run(args.mode)
        signal.alarm(0)
        print(f"browser-check: {args.mode}: {walk.count} steps passed in {time.monotonic() - started:.1f}s; "
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
