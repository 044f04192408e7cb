#!/usr/bin/env python3
# Builds the Exchange 2003 / IIS 6.0 SMTP sample logs and their ground truth
# from the plan below.  Nothing here ran IIS or Exchange: the columns and
# the shape of each line follow Microsoft's documentation (the W3C extended
# log format of IIS, KB 246965's tracking log fields, KB 821905's event
# ids) and the public Exchange 2000 log excerpt in OSSEC's documentation.
# See samples/README.md.
#
#   python3 samples/iis/make-sample.py      # rewrites the files here
#
# Files (CRLF line ends, as Windows writes them):
#   ex261201.log    W3C extended log of the SMTP virtual server (SMTPSVC1)
#   20261201.log    Exchange 2003 message tracking log (MAIL2003.log)
#   expected.md     per client IP, from the plan only

import os
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = "MAIL2003"
FQDN = "mail2003.corp.example"
SIP = "192.0.2.35"
T0 = datetime(2026, 12, 1, 20, 10, 0, tzinfo=timezone.utc)
LOCAL = "corp.example"

REMOTE = {
    "victim-one.example": ("mx.victim-one.example", "198.18.0.11", "send"),
    "victim-two.example": ("mx.victim-two.example", "198.18.0.12", "send"),
    "victim-three.example": ("mx.victim-three.example", "198.18.0.13",
                             "send"),
    "victim-four.example": ("mx.victim-four.example", "198.18.0.14", "send"),
    "blocked.example": ("mx.blocked.example", "198.18.0.15", "ndr"),
    "foreign-bank.example": ("mx.foreign-bank.example", "198.18.0.16",
                             "send"),
    "bulk-offers.example": ("mx.bulk-offers.example", "198.18.0.17", "send"),
    "mail.example.org": ("mx.mail.example.org", "198.18.0.18", "send"),
    "customer.example": ("mx.customer.example", "198.18.0.19", "send"),
}

PLAN = [
    dict(id="s01", at=0, ip="203.0.113.21", helo="mail.example.net",
         verb="HELO", msgs=[dict(sender="news@example.net",
                                 subject="December newsletter",
                                 rcpts=[("alice@corp.example", 250),
                                        ("bob@corp.example", 250)])],
         role="legitimate inbound"),
    dict(id="s02", at=2, ip="10.0.0.31", helo="WS-BOB", verb="EHLO",
         msgs=[dict(sender="bob@corp.example", subject="Quote",
                    rcpts=[("partner@customer.example", 250)])],
         role="bob's desktop on the LAN (trusted network)"),
    dict(id="s03", at=5, ip="198.51.100.66", helo="friend", verb="EHLO",
         msgs=[dict(sender="sales@bulk-offers.example", subject="Cheap meds",
                    rcpts=[("r1@victim-one.example", 250),
                           ("r2@victim-two.example", 250),
                           ("r3@blocked.example", 250)]),
               dict(sender="sales@bulk-offers.example", subject="Cheap meds 2",
                    rcpts=[("r4@victim-three.example", 250),
                           ("r5@victim-four.example", 250)])],
         role="spammer on the open relay"),
    dict(id="s04", at=8, ip="198.51.100.77", helo="mx.corp.example",
         verb="HELO", msgs=[dict(sender="ceo@corp.example",
                                 subject="Urgent payment",
                                 rcpts=[("pay1@foreign-bank.example", 250),
                                        ("pay2@foreign-bank.example", 250)])],
         role="spoofs the local sender ceo@corp.example"),
    dict(id="s05", at=12, ip="203.0.113.45", helo="DESKTOP-7Q2K9LM",
         verb="EHLO", auth="LOGIN",
         msgs=[dict(sender="dave@corp.example", subject="Re: lunch",
                    rcpts=[("friend@mail.example.org", 250)])],
         role="dave, AUTH LOGIN (IIS does not log the account name)"),
    dict(id="fix", at=20),
    dict(id="s06", at=25, ip="198.51.100.66", helo="friend", verb="EHLO",
         msgs=[dict(sender="sales@bulk-offers.example", subject="",
                    rcpts=[("r6@victim-five.example", 550),
                           ("r7@victim-six.example", 550)])],
         role="spammer again, refused"),
    dict(id="s07", at=27, ip="198.51.100.77", helo="mx.corp.example",
         verb="HELO", msgs=[dict(sender="ceo@corp.example", subject="",
                                 rcpts=[("pay3@foreign-bank.example", 550)])],
         role="spoofer again, refused"),
    dict(id="s08", at=30, ip="198.51.100.88", helo="probe", verb="HELO",
         msgs=[dict(sender="probe@scan.example", subject="",
                    rcpts=[("relaytest@probe.example", 550)])],
         role="relay scanner"),
    dict(id="s09", at=35, ip="203.0.113.22", helo="smtp.customer.example",
         verb="EHLO", msgs=[dict(sender="orders@customer.example",
                                 subject="Order 42",
                                 rcpts=[("dave@corp.example", 250)])],
         role="legitimate inbound"),
]


def local(a):
    return a.rsplit("@", 1)[1].lower() == LOCAL


def w3c_time(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def trk_time(t):
    return "%d-%d-%d\t%d:%d:%d GMT" % (t.year, t.month, t.day, t.hour,
                                       t.minute, t.second)


w3c = []
trk = []
truth = {}


def T(ip):
    return truth.setdefault(ip, dict(sessions=0, msgs=0, ok=0, rej=0,
                                     open_m=0, open_p=0, att_t=0, att_p=0,
                                     auth_m=0, auth_p=0, ndr=0, sent=0,
                                     bounced=0))


def trk_row(t, cip, cname, rcpt, event, msgid, size, n, subject, sender,
            linked="-"):
    trk.append((t, "\t".join([
        trk_time(t), cip or "-", cname or "-", "SMTP" if cip else "-",
        SERVER, SIP, rcpt, str(event), msgid, "0", "-", str(size), str(n),
        trk_time(t).replace("\t", " "), "0", "Version: 6.0.3790.3959",
        linked, subject or "-", sender])))


def deliver(t, msgid, msg, ok, c):
    t += timedelta(seconds=1)
    trk_row(t, "", "", ok[0], 1033, msgid, 2048, len(ok), msg["subject"],
            msg["sender"])
    for r in ok:
        t += timedelta(seconds=1)
        if local(r):
            trk_row(t, "", "", r, 1036, msgid, 2048, 1, msg["subject"],
                    msg["sender"])
            trk_row(t, "", "", r, 1028, msgid, 2048, 1, msg["subject"],
                    msg["sender"])
            continue
        host, ip, how = REMOTE[r.rsplit("@", 1)[1]]
        trk_row(t, "", "", r, 1034, msgid, 2048, 1, msg["subject"],
                msg["sender"])
        trk_row(t, ip, host, r, 1020, msgid, 2048, 1, msg["subject"],
                msg["sender"])
        if how == "send":
            trk_row(t, ip, host, r, 1031, msgid, 2048, 1, msg["subject"],
                    msg["sender"])
            if c is not None:
                c["sent"] += 1
        else:
            trk_row(t, ip, host, r, 1030, msgid, 2048, 1, msg["subject"],
                    msg["sender"])
            if c is not None:
                c["bounced"] += 1
            nid = "%s-NDR@%s" % (msgid.split("@")[0], FQDN)
            t += timedelta(seconds=1)
            trk_row(t, SIP, FQDN, msg["sender"], 1019, nid, 3100, 1,
                    "Undeliverable: " + msg["subject"],
                    "postmaster@" + LOCAL, linked=msgid)
            nhost, nip, _ = REMOTE[msg["sender"].rsplit("@", 1)[1]]
            trk_row(t, nip, nhost, msg["sender"], 1031, nid, 3100, 1,
                    "Undeliverable: " + msg["subject"],
                    "postmaster@" + LOCAL)
            if c is not None and not local(msg["sender"]):
                c["ndr"] += 1


def session(row):
    t = T0 + timedelta(minutes=row["at"])
    c = T(row["ip"])
    c["sessions"] += 1
    user = ["-"]

    def log(method, query, status, sbytes=40, cbytes=20):
        w3c.append((t, " ".join([
            w3c_time(t), row["ip"], user[0], "SMTPSVC1", SERVER, SIP, "0",
            method, "-", query, str(status), "0", str(sbytes), str(cbytes),
            "0", "SMTP", "-", "-", "-", "-"])))
    log(row["verb"], "+" + row["helo"], 250)
    user[0] = row["helo"]
    trusted = row["ip"].startswith("10.")
    authed = False
    if row.get("auth"):
        log("AUTH", "+" + row["auth"], 235)
        authed = True
    n = 0
    for msg in row["msgs"]:
        log("MAIL", "+FROM:<%s>" % msg["sender"], 250)
        ok = []
        for r, code in msg["rcpts"]:
            log("RCPT", "+TO:<%s>" % r, code)
            if code == 250:
                ok.append(r)
                c["ok"] += 1
            else:
                c["rej"] += 1
        rej = [r for r, code in msg["rcpts"] if code != 250 and not local(r)]
        if rej and not authed and not trusted:
            c["att_t"] += 1
            c["att_p"] += len(rej)
        if not ok:
            continue
        n += 1
        msgid = "%s.%d@%s" % (row["id"], n, msg["sender"].split("@")[1])
        log("DATA", "+<%s>" % msgid, 250, 120, 2048)
        c["msgs"] += 1
        foreign = [r for r in ok if not local(r)]
        if foreign and authed:
            c["auth_m"] += 1
            c["auth_p"] += len(foreign)
        elif foreign and not trusted:
            c["open_m"] += 1
            c["open_p"] += len(foreign)
        for r in ok:
            trk_row(t, row["ip"], row["helo"], r, 1019, msgid, 2048, len(ok),
                    msg["subject"], msg["sender"])
        deliver(t, msgid, msg, ok, c if foreign and not trusted else None)
    log("QUIT", row["helo"], 240, 68, 4)


def main():
    for row in PLAN:
        if row["id"] != "fix":
            session(row)
    w3c.sort(key=lambda x: x[0])
    trk.sort(key=lambda x: x[0])
    with open(os.path.join(HERE, "ex261201.log"), "w", newline="\r\n") as f:
        f.write("#Software: Microsoft Internet Information Services 6.0\n"
                "#Version: 1.0\n#Date: 2026-12-01 20:10:00\n"
                "#Fields: date time c-ip cs-username s-sitename "
                "s-computername s-ip s-port cs-method cs-uri-stem "
                "cs-uri-query sc-status sc-win32-status sc-bytes cs-bytes "
                "time-taken cs-version cs-host cs(User-Agent) cs(Cookie) "
                "cs(Referer) \n")
        for _, l in w3c:
            f.write(l + "\n")
    with open(os.path.join(HERE, "20261201.log"), "w", newline="\r\n") as f:
        f.write("# Message Tracking Log File\n"
                "# Exchange System Attendant Version 6.5.7638.1\n"
                "# Date\tTime\tclient-ip\tClient-hostname\tPartner-Name\t"
                "Server-hostname\tserver-IP\tRecipient-Address\tEvent-ID\t"
                "MSGID\tPriority\tRecipient-Report-Status\ttotal-bytes\t"
                "Number-Recipients\tOrigination-Time\tEncryption\t"
                "service-Version\tLinked-MSGID\tMessage-Subject\t"
                "Sender-Address\n")
        for _, l in trk:
            f.write(l + "\n")
    write_expected()


def write_expected():
    ips = sorted(truth, key=lambda ip: tuple(int(x) for x in ip.split(".")))
    roles = {}
    for row in PLAN:
        if "ip" in row:
            roles.setdefault(row["ip"], row["role"])
    out = ["# IIS / Exchange 2003 sample: expected results (ground truth)", "",
           "Worked out by `make-sample.py` from its plan, not from any",
           "analyzer. Local domain `corp.example`, trusted network",
           "`10.0.0.0/8`. Phase 1: the SMTP virtual server's relay",
           "restriction is \"all except the list below\" with an empty list",
           "(the classic open relay). The fix (20:30Z): \"only the list",
           "below\", empty, plus \"allow all computers which successfully",
           "authenticate\"; refused recipients then get 550 (IIS logs only",
           "the code: the text is \"5.7.1 Unable to relay for ...\").", "",
           "Columns as in `samples/expected.md` (open-relay msgs/pairs,",
           "relay-attempt tx/pairs, auth-relay msgs/pairs, backscatter",
           "NDRs, foreign sent/bounced).", "",
           "| client | role | sessions | msgs accepted | rcpt ok/rej | "
           "open-relay | relay-attempt | auth-relay | backscatter | "
           "foreign sent/bounced |",
           "|---|---|---|---|---|---|---|---|---|---|"]

    def pair(a, b):
        return "%d/%d" % (a, b) if a or b else "-"
    for ip in ips:
        c = truth[ip]
        out.append("| %s | %s | %d | %d | %d/%d | %s | %s | %s | %s | %s |" % (
            ip, roles[ip], c["sessions"], c["msgs"], c["ok"], c["rej"],
            pair(c["open_m"], c["open_p"]), pair(c["att_t"], c["att_p"]),
            pair(c["auth_m"], c["auth_p"]), c["ndr"] or "-",
            "%d/%d" % (c["sent"], c["bounced"]) if c["sent"] + c["bounced"]
            else "-"))
    out += ["", "The W3C log names no account: 203.0.113.45's session shows "
            "`AUTH +LOGIN 235` only (how IIS logs the steps of AUTH is not "
            "documented; the sample logs one line with the final code).",
            "", "The NDR to the forged sender is written as a message that "
            "enters with event 1019 from the server itself, `Linked-MSGID` = "
            "the message that bounced, sender `postmaster@corp.example`: the "
            "documents name the column, not the event an NDR starts with.",
            ""]
    with open(os.path.join(HERE, "expected.md"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
