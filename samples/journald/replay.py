#!/usr/bin/env python3
# Replays a syslog file (RSYSLOG_FileFormat: "2026-12-01T20:42:53.796174+00:00
# mx postfix/smtpd[13384]: text") into the syslog socket of systemd-journald,
# in order and with the original spacing in time, each line with the
# priority Postfix gives it (mail facility; warning/error/fatal/panic by
# prefix, else info).  Used by make-journal.sh.
import socket
import sys
import time
from datetime import datetime

SOCK = "/run/systemd/journal/dev-log"
SEV = (("warning: ", 4), ("error: ", 3), ("fatal: ", 2), ("panic: ", 1))


def main(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect(SOCK)
    start = first = None
    for raw in open(path, "rb"):
        line = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
        stamp, host, rest = line.split(" ", 2)
        tag, text = rest.split(": ", 1)
        t = datetime.fromisoformat(stamp)
        if first is None:
            first, start = t, time.monotonic()
        delay = (t - first).total_seconds() - (time.monotonic() - start)
        if delay > 0:
            time.sleep(delay)
        sev = next((v for p, v in SEV if text.startswith(p)), 6)
        msg = "<%d>%s %s: %s" % (2 * 8 + sev, t.strftime("%b %e %H:%M:%S"),
                                 tag, text)
        s.send(msg.encode("utf-8", "surrogateescape"))
    s.close()


if __name__ == "__main__":
    main(sys.argv[1])
