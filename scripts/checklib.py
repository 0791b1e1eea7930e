"""What the project's check scripts share: free ports, an SMTP sink that keeps every
message, HTTP calls to the API, waiting for and stopping servers, and ok/FAIL lines.
Standard library only.

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # scripts/
    import checklib
"""
import asyncio
import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


failures = []


def check(condition, message):
    """One ok/FAIL line; failures are kept in `failures`."""
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def call(base, method, path, body=None, headers=None):
    """One request to the API under /dj-rest-auth/: (status, JSON body, response headers)."""
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


def demo_environment(settings):
    """This process's environment without the demo's own settings, then `settings`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("REST_AUTH_", "ACCOUNT_", "SOCIALACCOUNT_", "EMAIL_", "SIMPLE_JWT_"))}
    env.update(settings)
    return env


def wait_http(url, processes, timeout, what):
    """Until `url` answers (any status); Failure when a process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in processes:
            if p.poll() is not None:
                raise Failure(f"{what} exited with status {p.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # an answer, whatever it says
        except OSError:
            time.sleep(0.2)
    raise Failure(f"{what} did not answer {url} within {timeout}s")


def stop(process, timeout=15):
    """SIGTERM to the process's group (started with start_new_session), then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class SmtpSink:
    """A minimal SMTP server (asyncio, standard library) that keeps every message."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = None

    def start(self):
        threading.Thread(target=self._run, daemon=True).start()
        if not self.ready.wait(5):
            raise Failure("the SMTP sink did not start")

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _session(self, reader, writer):
        async def reply(text):
            writer.write(text.encode() + b"\r\n")
            await writer.drain()

        recipients = []
        try:
            await reply("220 browser-check sink")
            while True:
                line = await asyncio.wait_for(reader.readline(), 30)
                if not line:
                    break
                command = line.decode("utf-8", "replace").strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    await reply("250 browser-check sink")
                elif verb == "MAIL":
                    recipients = []
                    await reply("250 OK")
                elif verb == "RCPT":
                    match = re.search(r"<([^>]*)>", command)
                    recipients.append((match.group(1) if match else command[8:]).strip().lower())
                    await reply("250 OK")
                elif verb == "DATA":
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while True:
                        data = await asyncio.wait_for(reader.readline(), 30)
                        if not data or data in (b".\r\n", b".\n"):
                            break
                        lines.append(data[1:] if data.startswith(b".") else data)
                    self._keep(recipients, b"".join(lines))
                    await reply("250 OK queued")
                elif verb in ("RSET", "NOOP"):
                    await reply("250 OK")
                elif verb == "QUIT":
                    await reply("221 Bye")
                    break
                else:
                    await reply("502 Command not implemented")
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    def _keep(self, recipients, raw):
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
        with self.lock:
            self.messages.append({"to": recipients, "subject": str(message["subject"] or ""), "body": text})

    def match(self, address, pattern, timeout=15, after=0, last=False):
        """A match of pattern in a message to address: in the first such message, or the
        last with `last`, among the messages from number `after` on."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [pattern.search(m["body"]) for m in self.messages[after:] if address.lower() in m["to"]]
            found = [f for f in found if f]
            if found:
                return found[-1] if last else found[0]
            time.sleep(0.1)
        with self.lock:
            got = [m["subject"] for m in self.messages if address.lower() in m["to"]]
        raise Failure(f"no e-mail to {address} with a link like {pattern.pattern} within {timeout}s "
                      f"(messages to it: {got})")

    def link(self, address, pattern, timeout=15):
        """The first link matching pattern in a message to address."""
        return self.match(address, pattern, timeout).group(0)
