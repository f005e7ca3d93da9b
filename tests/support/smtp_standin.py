#!/usr/bin/env python3
"""A real SMTP server for the e-mail channel's tests: Debian's aiosmtpd (python3-aiosmtpd), an
independent implementation of SMTP, STARTTLS and AUTH, so that the agent's client is checked against
someone else's reading of the RFCs rather than our own. Each message received is written to
--maildir as N.eml (the envelope in X-Envelope-* lines, then the data as received); --ready is
created once the server accepts connections. Runs until SIGTERM.

  smtp_standin.py --port P --cert C --key K --mode starttls|tls --maildir D --ready F [--user U --password W]
"""
import argparse
import asyncio
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, maildir, implicit_tls):
        self.maildir = maildir
        self.implicit_tls = implicit_tls
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        path = os.path.join(self.maildir, f"{n}.eml")
        with open(path + ".tmp", "wb") as out:
            out.write(f"X-Envelope-From: {envelope.mail_from}\r\n".encode())
            for rcpt in envelope.rcpt_tos:
                out.write(f"X-Envelope-To: {rcpt}\r\n".encode())
            tls = "implicit" if self.implicit_tls else ("starttls" if session.ssl else "none")
            out.write(f"X-Envelope-Tls: {tls}\r\n".encode())
            out.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 OK queued"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--mode", choices=["starttls", "tls"], default="starttls")
    p.add_argument("--maildir", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--user")
    p.add_argument("--password")
    a = p.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(a.cert, a.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.user
              and auth_data.password.decode() == a.password)
        return AuthResult(success=ok)

    kwargs = {}
    if a.user:
        # On implicit TLS aiosmtpd does not see the session as encrypted and would hide AUTH: the
        # whole connection is TLS there, so the requirement is only needed for STARTTLS.
        kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=(a.mode == "starttls"))
    saver = Saver(a.maildir, a.mode == "tls")
    if a.mode == "starttls":
        controller = Controller(saver, hostname="127.0.0.1", port=a.port, tls_context=context,
                                require_starttls=True, **kwargs)
    else:
        controller = Controller(saver, hostname="127.0.0.1", port=a.port, ssl_context=context, **kwargs)
    controller.start()
    with open(a.ready, "w") as f:
        f.write("ready\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
