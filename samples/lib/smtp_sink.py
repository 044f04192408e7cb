#!/usr/bin/env python3
"""Loopback SMTP sink that stands in for "the rest of the Internet".

Postfix's default_transport/relay_transport point here, so every message the
sample server relays or sends out ends in this process and never leaves the
machine. Replies to RCPT TO depend on the recipient domain (sink-rules.tsv);
every accepted message is recorded as one TSV line per recipient.

Pure standard library (asyncio); listens only on 127.0.0.0/8.
"""
import argparse
import asyncio
import ipaddress
import signal
import sys
import time

BANNERS = {
    "127.0.0.2": "mx.internet.example",
    "127.0.0.3": "mx1.partner.example",
}


def load_rules(path):
    rules = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            domain, code, text, delay = line.split("\t")
            rules[domain.lower()] = (int(code), text, float(delay))
    return rules


def addr_domain(addr):
    a = addr.strip()
    if a.startswith("<") and a.endswith(">"):
        a = a[1:-1]
    return a.rsplit("@", 1)[-1].lower() if "@" in a else ""


def strip_path(arg):
    """'TO:<x@y> SIZE=1' -> 'x@y'"""
    _, _, rest = arg.partition(":")
    rest = rest.strip()
    if rest.startswith("<"):
        end = rest.find(">")
        return rest[1:end] if end > 0 else rest[1:]
    return rest.split(" ")[0]


class Sink:
    def __init__(self, rules, logf):
        self.rules = rules
        self.logf = logf
        self.counter = 0

    def log(self, *fields):
        self.logf.write("\t".join(str(x) for x in fields) + "\n")
        self.logf.flush()

    async def handle(self, reader, writer):
        local = writer.get_extra_info("sockname")[0]
        peer = writer.get_extra_info("peername")[0]
        name = BANNERS.get(local, "mx.internet.example")

        async def send(line):
            writer.write((line + "\r\n").encode())
            await writer.drain()

        await send(f"220 {name} ESMTP")
        mail_from = None
        rcpts = []          # accepted recipients of the current transaction
        try:
            while True:
                raw = await reader.readline()
                if not raw:
                    break
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                verb = line[:4].upper()
                arg = line[5:] if len(line) > 5 else ""
                if verb == "EHLO":
                    await send(f"250-{name}\r\n250-PIPELINING\r\n250-SIZE 10240000"
                               "\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME")
                elif verb == "HELO":
                    await send(f"250 {name}")
                elif verb == "MAIL":
                    mail_from = strip_path(arg)
                    rcpts = []
                    await send("250 2.1.0 Ok")
                elif verb == "RCPT":
                    rcpt = strip_path(arg)
                    code, text, delay = self.rules.get(
                        addr_domain(rcpt), (250, "2.1.5 Ok", 0.0))
                    text = text.replace("{ip}", peer).replace("{rcpt}", rcpt)
                    self.log(time.strftime("%Y-%m-%dT%H:%M:%S"), local, peer,
                             "RCPT", mail_from, rcpt, code, text)
                    if code == 250:
                        rcpts.append((rcpt, delay))
                    await send(f"{code} {text}")
                elif verb == "DATA":
                    if not rcpts:
                        await send("554 5.5.1 Error: no valid recipients")
                        continue
                    await send("354 End data with <CR><LF>.<CR><LF>")
                    size = 0
                    while True:
                        d = await reader.readline()
                        if not d or d in (b".\r\n", b".\n"):
                            break
                        size += len(d)
                    delay = max(r[1] for r in rcpts)
                    if delay:
                        await asyncio.sleep(delay)
                    self.counter += 1
                    qid = f"S{self.counter:05d}"
                    for rcpt, _ in rcpts:
                        self.log(time.strftime("%Y-%m-%dT%H:%M:%S"), local, peer,
                                 "DATA", mail_from, rcpt, 250, f"queued as {qid} size {size}")
                    rcpts = []
                    await send(f"250 2.0.0 Ok: queued as {qid}")
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    await send("250 2.0.0 Ok")
                elif verb == "NOOP":
                    await send("250 2.0.0 Ok")
                elif verb == "QUIT":
                    await send("221 2.0.0 Bye")
                    break
                else:
                    await send("502 5.5.2 Error: command not recognized")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", action="append", required=True, help="IP:PORT")
    ap.add_argument("--rules", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--pidfile")
    a = ap.parse_args()
    sink = Sink(load_rules(a.rules), open(a.log, "a", encoding="utf-8"))
    servers = []
    for l in a.listen:
        host, port = l.rsplit(":", 1)
        if not ipaddress.ip_address(host).is_loopback:
            sys.exit(f"refusing to listen on non-loopback address {host}")
        servers.append(await asyncio.start_server(sink.handle, host, int(port)))
    if a.pidfile:
        import os
        with open(a.pidfile, "w") as f:
            f.write(f"{os.getpid()}\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
