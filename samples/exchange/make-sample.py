#!/usr/bin/env python3
# Builds the Exchange 2010 sample logs and their ground truth from the plan
# below.  Nothing here ran an Exchange server: the column lists and the
# shape of each line follow Microsoft's documentation of message tracking
# and protocol logging, and public log excerpts (see samples/README.md).
#
#   python3 samples/exchange/make-sample.py      # rewrites the files here
#
# Files (CRLF line ends, as Windows writes them):
#   RECV20261201-1.LOG    SMTP Receive protocol log
#   MSGTRK20261201-1.LOG  message tracking log
#   expected.md           per client IP and per account, from the plan only

import os
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = "EX01"
FQDN = "ex01.corp.example"
IP_MAIN = "192.0.2.25"          # Default (25) and Client (587) connectors
IP_RELAY = "192.0.2.26"         # the printer relay connector, port 25
T0 = datetime(2026, 12, 1, 20, 10, 0, tzinfo=timezone.utc)
LOCAL = "corp.example"

CONN = {
    "default": ("EX01\\Default EX01", IP_MAIN, 25),
    "client": ("EX01\\Client EX01", IP_MAIN, 587),
    "relay": ("EX01\\Relay EX01", IP_RELAY, 25),
}
PERM_ANON = ("SMTPSubmit SMTPAcceptAnySender "
             "SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders")
PERM_OPEN = ("SMTPSubmit SMTPAcceptAnyRecipient SMTPAcceptAnySender "
             "SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders")
PERM_AUTH = ("SMTPSubmit SMTPAcceptAnyRecipient SMTPBypassMessageSizeLimit "
             "SMTPAcceptAuthenticationFlag SMTPAcceptAnySender "
             "SMTPAcceptAuthoritativeDomainSender BypassAntiSpam "
             "AcceptRoutingHeaders")

# How the "Internet" answers our deliveries, by recipient domain.
REMOTE = {
    "victim-one.example": ("mx.victim-one.example", "198.18.0.11", "send"),
    "victim-two.example": ("mx.victim-two.example", "198.18.0.12", "send"),
    "victim-three.example": ("mx.victim-three.example", "198.18.0.13",
                             "defer"),
    "victim-four.example": ("mx.victim-four.example", "198.18.0.14", "send"),
    "blocked.example": ("mx.blocked.example", "198.18.0.15", "block"),
    "foreign-bank.example": ("mx.foreign-bank.example", "198.18.0.16",
                             "send"),
    "bulk-offers.example": ("mx.bulk-offers.example", "198.18.0.17", "send"),
    "mail.example.org": ("mx.mail.example.org", "198.18.0.18", "send"),
    "customer.example": ("mx.customer.example", "198.18.0.19", "send"),
}
BLOCK_TEXT = ("550 5.7.1 Service unavailable Client host [{ip}] blocked "
              "using zen.spamhaus.org")
ALIASES = {"webmaster@corp.example": "carol@corp.example"}

# The plan: one row per SMTP session or action.  rcpts: (address, RCPT
# reply code).  role is for expected.md only.
PLAN = [
    dict(id="s01", at=0, ip="203.0.113.21", port=41100, name="mail.example.net",
         helo="mail.example.net", conn="default", perm=PERM_ANON,
         msgs=[dict(sender="news@example.net", subject="December newsletter",
                    rcpts=[("alice@corp.example", 250),
                           ("bob@corp.example", 250)])],
         role="legitimate inbound"),
    dict(id="s02", at=2, ip="10.0.0.50", port=50100,
         name="scanner.corp.example",
         helo="scanner", conn="relay", perm=PERM_OPEN,
         msgs=[dict(sender="scanner@corp.example", subject="Scanned document",
                    rcpts=[("carol@corp.example", 250)])],
         role="the office scanner, the connector's intended user"),
    dict(id="s03", at=5, ip="198.51.100.66", port=40166, name="",
         helo="friend", conn="relay", perm=PERM_OPEN,
         msgs=[dict(sender="sales@bulk-offers.example", subject="Cheap meds",
                    rcpts=[("r1@victim-one.example", 250),
                           ("r2@victim-two.example", 250),
                           ("r3@blocked.example", 250)]),
               dict(sender="sales@bulk-offers.example", subject="Cheap meds 2",
                    rcpts=[("r4@victim-three.example", 250),
                           ("r5@victim-four.example", 250)])],
         role="spammer on the open connector"),
    dict(id="s04", at=8, ip="198.51.100.77", port=40177,
         name="static-77.hosting.example", helo="mx.corp.example",
         conn="relay", perm=PERM_OPEN,
         msgs=[dict(sender="ceo@corp.example", subject="Urgent payment",
                    rcpts=[("pay1@foreign-bank.example", 250),
                           ("pay2@foreign-bank.example", 250)])],
         role="spoofs the local sender ceo@corp.example"),
    dict(id="s05", at=12, ip="203.0.113.45", port=52045, name="",
         helo="DESKTOP-7Q2K9LM", conn="client", perm="None",
         auth=("LOGIN", "CORP\\dave"), tls=True,
         msgs=[dict(sender="dave@corp.example", subject="Re: lunch",
                    rcpts=[("friend@mail.example.org", 250)])],
         role="dave, authenticated on the Client connector"),
    dict(id="m01", at=15, mailbox="alice@corp.example",
         msgs=[dict(sender="alice@corp.example", subject="Offer",
                    rcpts=[("partner@customer.example", 250)])],
         role="alice in Outlook (mailbox submission)"),
    dict(id="fix", at=20),
    dict(id="s06", at=25, ip="198.51.100.66", port=40266, name="",
         helo="friend", conn="relay", perm=PERM_ANON,
         msgs=[dict(sender="sales@bulk-offers.example", subject="",
                    rcpts=[("r6@victim-five.example", 550),
                           ("r7@victim-six.example", 550)])],
         role="spammer again, refused"),
    dict(id="s07", at=27, ip="198.51.100.77", port=40277,
         name="static-77.hosting.example", helo="mx.corp.example",
         conn="relay", perm=PERM_ANON,
         msgs=[dict(sender="ceo@corp.example", subject="",
                    rcpts=[("pay3@foreign-bank.example", 550)])],
         role="spoofer again, refused"),
    dict(id="s08", at=30, ip="198.51.100.88", port=40388, name="",
         helo="probe", conn="default", perm=PERM_ANON,
         msgs=[dict(sender="probe@scan.example", subject="",
                    rcpts=[("relaytest@probe.example", 550)])],
         role="relay scanner"),
    dict(id="s09", at=35, ip="203.0.113.22", port=41222,
         name="smtp.customer.example", helo="smtp.customer.example",
         conn="default", perm=PERM_ANON, tls=True,
         msgs=[dict(sender="orders@customer.example", subject="Order 42",
                    rcpts=[("dave@corp.example", 250),
                           ("webmaster@corp.example", 250)])],
         role="legitimate inbound over STARTTLS, one alias"),
]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def csv(*fields):
    out = []
    for f in fields:
        f = "" if f is None else str(f)
        if any(c in f for c in ',"\r\n'):
            f = '"' + f.replace('"', '""') + '"'
        out.append(f)
    return ",".join(out)


def local(addr):
    return addr.rsplit("@", 1)[1].lower() == LOCAL


class Clock:
    def __init__(self, t):
        self.t = t

    def tick(self, ms=15):
        self.t += timedelta(milliseconds=ms)
        return self.t


recv = []      # (time, line)
trk = []       # (time, line)
truth = {}     # ip -> counters
accounts = {}
sid_seq = [0x08D3A1B2C3D40000]
iid_seq = [1000]


def next_sid():
    sid_seq[0] += 0x11
    return "%016X" % sid_seq[0]


def next_iid():
    iid_seq[0] += 1
    return str(iid_seq[0])


def T(ip):
    return truth.setdefault(ip, dict(sessions=0, msgs=0, ok=0, rej=0,
                                     open_m=0, open_p=0, att_t=0, att_p=0,
                                     auth_m=0, auth_p=0, ndr=0, bl=0,
                                     sent=0, deferred=0, bounced=0,
                                     warn=0))


def trk_row(t, cip, cname, sip, sname, sctx, conn, source, event, iid, mid,
            rcpts, status, size, nrcpt, related, ref, subject, sender,
            retpath, info, direction):
    trk.append((t, csv(iso(t), cip, cname, sip, sname, sctx, conn, source,
                       event, iid, mid, rcpts, status, size, nrcpt, related,
                       ref, subject, sender, retpath, info, direction, "",
                       "", "", "")))


def deliver(clock, iid, mid, msg, size, rcpts, counters, origin_ip):
    """Tracking rows for the delivery of one accepted message."""
    for r in rcpts:
        final = ALIASES.get(r, r)
        if final != r:
            trk_row(clock.tick(5), "", "", "", SERVER, "", "", "CATEGORIZER",
                    "RESOLVE", iid, mid, final, "", size, 1, r, "",
                    msg["subject"], msg["sender"], msg["sender"], "",
                    "Incoming")
    local_r = [ALIASES.get(r, r) for r in rcpts if local(r)]
    if local_r:
        trk_row(clock.tick(40), "", SERVER, "", SERVER,
                "08D3A1B2C3D4FFFF;%s;0" % iso(clock.t), "", "STOREDRIVER",
                "DELIVER", iid, mid, ";".join(local_r), "", size,
                len(local_r), "", "", msg["subject"], msg["sender"],
                msg["sender"], iso(clock.t) + ";SRV=ex01.corp.example:TOTAL=0",
                "Incoming")
    by_dom = {}
    for r in rcpts:
        if not local(r):
            by_dom.setdefault(r.rsplit("@", 1)[1], []).append(r)
    for dom, rs in by_dom.items():
        host, ip, how = REMOTE[dom]
        if how == "send":
            trk_row(clock.tick(60), IP_RELAY, SERVER, ip, host,
                    ";250 2.6.0 Ok: queued as 4F%s;ClientSubmitTime:" % iid,
                    "Internet", "SMTP", "SEND", iid, mid, ";".join(rs),
                    ";".join("250 2.1.5 Ok" for _ in rs), size, len(rs), "",
                    "", msg["subject"], msg["sender"], msg["sender"],
                    iso(clock.t) + ";SRV=ex01.corp.example:TOTAL=1",
                    "Originating")
            if counters is not None:
                counters["sent"] += len(rs)
        elif how == "defer":
            trk_row(clock.tick(60), IP_RELAY, SERVER, ip, host,
                    "Greylisted", "Internet", "SMTP", "DEFER", iid, mid,
                    ";".join(rs),
                    ";".join("451 4.7.1 Greylisted, please try again later"
                             for _ in rs), size, len(rs), "", "",
                    msg["subject"], msg["sender"], msg["sender"],
                    iso(clock.t + timedelta(minutes=15)), "Originating")
            if counters is not None:
                counters["deferred"] += len(rs)
        else:
            text = BLOCK_TEXT.format(ip=IP_RELAY)
            st = "[{LRT=};{LED=%s};{FQDN=%s};{IP=%s}]" % (text, host, ip)
            trk_row(clock.tick(60), IP_RELAY, SERVER, ip, host, "", "Internet",
                    "SMTP", "FAIL", iid, mid, ";".join(rs),
                    ";".join(st for _ in rs), size, len(rs), "", "",
                    msg["subject"], msg["sender"], msg["sender"], "",
                    "Originating")
            if counters is not None:
                counters["bounced"] += len(rs)
                counters["bl"] += len(rs)
            # The NDR back to the (forged) sender.
            niid = next_iid()
            nmid = "<%s-ndr@%s>" % (niid, FQDN)
            ndr_from = ("MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@"
                        + LOCAL)
            trk_row(clock.tick(20), "", "", "", SERVER, "Failed", "", "DSN",
                    "DSN", niid, nmid, msg["sender"], "", 3100, 1, "", iid,
                    "Undeliverable: " + msg["subject"], ndr_from, "<>", "",
                    "Originating")
            nhost, nip, _ = REMOTE[msg["sender"].rsplit("@", 1)[1]]
            trk_row(clock.tick(60), IP_RELAY, SERVER, nip, nhost,
                    ";250 2.6.0 Ok;ClientSubmitTime:", "Internet", "SMTP",
                    "SEND", niid, nmid, msg["sender"], "250 2.1.5 Ok", 3100,
                    1, "", "", "Undeliverable: " + msg["subject"], ndr_from,
                    "<>", iso(clock.t), "Originating")
            if counters is not None and not local(msg["sender"]):
                counters["ndr"] += 1


def ehlo_lines(tls_offered, authed_conn):
    lines = ["250-%s Hello [%%s]" % FQDN, "250-SIZE 10485760",
             "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES"]
    if tls_offered:
        lines.append("250-STARTTLS")
    if authed_conn:
        lines.append("250-AUTH NTLM LOGIN")
    lines += ["250-8BITMIME", "250-BINARYMIME", "250 CHUNKING"]
    return lines


def session(row):
    conn, lip, lport = CONN[row["conn"]]
    clock = Clock(T0 + timedelta(minutes=row["at"]))
    sid = next_sid()
    seq = [0]
    local_ep = "%s:%d" % (lip, lport)
    remote_ep = "%s:%d" % (row["ip"], row["port"])

    def log(ev, data="", ctx=""):
        t = clock.tick()
        recv.append((t, csv(iso(t), conn, sid, seq[0], local_ep, remote_ep,
                            ev, data, ctx)))
        seq[0] += 1

    c = T(row["ip"])
    c["sessions"] += 1
    log("+")
    log("*", row["perm"], "Set Session Permissions")
    if "AcceptAnyRecipient" in row["perm"]:
        c["warn"] += 1
    log(">", "220 %s Microsoft ESMTP MAIL Service ready at %s" %
        (FQDN, clock.t.strftime("%a, %-d %b %Y %H:%M:%S +0000")))
    authed = False
    log("<", "EHLO " + row["helo"])
    for l in ehlo_lines(True, row["conn"] == "client" and row.get("tls")
                        is None):
        log(">", l.replace("%s", row["ip"]) if "%s" in l else l)
    if row.get("tls"):
        log("<", "STARTTLS")
        log(">", "220 2.0.0 SMTP server ready")
        log("*", "", "Sending certificate")
        log("*", "CN=" + FQDN, "Certificate subject")
        log("*", "CN=" + FQDN, "Certificate issuer name")
        log("<", "EHLO " + row["helo"])
        for l in ehlo_lines(False, row["conn"] == "client"):
            log(">", l.replace("%s", row["ip"]) if "%s" in l else l)
    if row.get("auth"):
        mech, user = row["auth"]
        log("<", "AUTH " + mech)
        log(">", "334 VXNlcm5hbWU6")
        log("<", "<authentication response>")
        log(">", "334 UGFzc3dvcmQ6")
        log("<", "<authentication response>")
        log("*", "", "Inbound AUTH LOGIN")
        log("*", PERM_AUTH, "Set Session Permissions")
        log("*", user, "authenticated")
        log(">", "235 2.7.0 Authentication successful")
        authed = True
        accounts.setdefault(user, dict(m=0, p=0, sent=0))
    for msg in row["msgs"]:
        log("<", "MAIL FROM:<%s> SIZE=2048" % msg["sender"])
        log("*", "%s;%s;%d" % (sid, iso(clock.t), 1), "receiving message")
        log(">", "250 2.1.0 Sender OK")
        ok = []
        for r, code in msg["rcpts"]:
            log("<", "RCPT TO:<%s>" % r)
            if code == 250:
                log(">", "250 2.1.5 Recipient OK")
                ok.append(r)
                c["ok"] += 1
            else:
                log(">", "550 5.7.1 Unable to relay")
                c["rej"] += 1
        foreign_ok = [r for r in ok if not local(r)]
        foreign_rej = [r for r, code in msg["rcpts"]
                       if code != 250 and not local(r)]
        trusted = row["ip"].startswith("10.")
        if foreign_rej and not authed and not trusted:
            c["att_t"] += 1
            c["att_p"] += len(foreign_rej)
        if not ok:
            continue
        iid = next_iid()
        mid = "<%s.%s@%s>" % (row["id"], iid, msg["sender"].split("@")[1])
        log("<", "DATA")
        log(">", "354 Start mail input; end with <CRLF>.<CRLF>")
        log(">", "250 2.6.0 %s Queued mail for delivery" % mid)
        c["msgs"] += 1
        if foreign_ok and authed:
            c["auth_m"] += 1
            c["auth_p"] += len(foreign_ok)
            a = accounts[row["auth"][1]]
            a["m"] += 1
            a["p"] += len(foreign_ok)
        elif foreign_ok and not trusted:
            c["open_m"] += 1
            c["open_p"] += len(foreign_ok)
        trk_row(clock.tick(5), row["ip"], row["name"] or row["ip"],
                lip, SERVER, "%s;%s;0" % (sid, iso(clock.t)), conn, "SMTP",
                "RECEIVE", iid, mid, ";".join(ok), "", 2048, len(ok), "", "",
                msg["subject"], msg["sender"], msg["sender"], "04I:",
                "Incoming" if any(local(r) for r in ok) else "Originating")
        counters = c if foreign_ok and not trusted else None
        dclock = Clock(clock.t)
        deliver(dclock, iid, mid, msg, 2048, ok, counters, row["ip"])
        if authed and foreign_ok:
            accounts[row["auth"][1]]["sent"] += len(foreign_ok)
    log("<", "QUIT")
    log(">", "221 2.0.0 Service closing transmission channel")
    log("-", "", "Local")


def mailbox(row):
    clock = Clock(T0 + timedelta(minutes=row["at"]))
    for msg in row["msgs"]:
        iid = next_iid()
        mid = "<%s.%s@%s>" % (row["id"], iid, FQDN)
        ok = [r for r, _ in msg["rcpts"]]
        trk_row(clock.tick(), "10.0.0.25", SERVER, "10.0.0.25", SERVER,
                "MDB:9a1c0b6e-3d3c-4f0e-a8a6-0c7d2f0e1a11, Mailbox:"
                "5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b, Event:4711, "
                "MessageClass:IPM.Note, CreationTime:%s, ClientType:MOMT" %
                iso(clock.t), "", "STOREDRIVER", "SUBMIT", "", mid, "", "",
                "", "", "", "", msg["subject"], msg["sender"], "", "", "")
        trk_row(clock.tick(), "10.0.0.25", SERVER, "10.0.0.25", SERVER,
                "MDB:9a1c0b6e-3d3c-4f0e-a8a6-0c7d2f0e1a11", "",
                "STOREDRIVER", "RECEIVE", iid, mid, ";".join(ok), "", 1500,
                len(ok), "", "", msg["subject"], msg["sender"],
                msg["sender"], "04I:", "Originating")
        deliver(clock, iid, mid, msg, 1500, ok, None, None)


def header(kind, fields, t):
    return ["#Software: Microsoft Exchange Server",
            "#Version: 14.3.123.0" if kind != "msgtrk" else
            "#Version: 14.03.0123.004",
            "#Log-type: " + ("SMTP Receive Protocol Log" if kind == "recv"
                             else "Message Tracking Log"),
            "#Date: " + iso(t), "#Fields: " + fields]


def main():
    for row in PLAN:
        if row["id"] == "fix":
            continue
        if "mailbox" in row:
            mailbox(row)
        else:
            session(row)
    recv.sort(key=lambda x: x[0])
    trk.sort(key=lambda x: x[0])
    rf = ("date-time,connector-id,session-id,sequence-number,local-endpoint,"
          "remote-endpoint,event,data,context")
    tf = ("date-time,client-ip,client-hostname,server-ip,server-hostname,"
          "source-context,connector-id,source,event-id,internal-message-id,"
          "message-id,recipient-address,recipient-status,total-bytes,"
          "recipient-count,related-recipient-address,reference,"
          "message-subject,sender-address,return-path,message-info,"
          "directionality,tenant-id,original-client-ip,original-server-ip,"
          "custom-data")
    with open(os.path.join(HERE, "RECV20261201-1.LOG"), "w",
              newline="\r\n") as f:
        for l in header("recv", rf, T0):
            f.write(l + "\n")
        for _, l in recv:
            f.write(l + "\n")
    with open(os.path.join(HERE, "MSGTRK20261201-1.LOG"), "w",
              newline="\r\n") as f:
        for l in header("msgtrk", tf, T0):
            f.write(l + "\n")
        for _, l in trk:
            f.write(l + "\n")
    write_expected()


def write_expected():
    ips = sorted(truth, key=lambda ip: tuple(int(x) for x in ip.split(".")))
    out = ["# Exchange sample: expected results (ground truth)", "",
           "Worked out by `make-sample.py` from its plan (what each client",
           "did and the replies it got), not from any analyzer. Local domain",
           "`corp.example`, trusted network `10.0.0.0/8`. The fix (at",
           "20:30Z) removes the anonymous relay permission",
           "(ms-Exch-SMTP-Accept-Any-Recipient for ANONYMOUS LOGON) from the",
           "receive connector `EX01\\Relay EX01`.", "",
           "Columns as in `samples/expected.md`: open-relay msgs/pairs,",
           "relay-attempt tx/pairs, auth-relay msgs/pairs, backscatter NDRs",
           "(to foreign senders, blamed on the client), blacklisted",
           "(deliveries refused naming a blocklist), foreign",
           "sent/deferred/bounced (final outcome of accepted foreign",
           "recipients); `warn` counts sessions granted",
           "SMTPAcceptAnyRecipient without authentication (the open",
           "connector).", "",
           "| client | role | sessions | msgs accepted | rcpt ok/rej | "
           "open-relay | relay-attempt | auth-relay | backscatter | "
           "blacklisted | foreign sent/deferred/bounced | warn |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    roles = {}
    for row in PLAN:
        if "ip" in row:
            roles.setdefault(row["ip"], row["role"])

    def pair(a, b):
        return "%d/%d" % (a, b) if a or b else "-"
    for ip in ips:
        c = truth[ip]
        out.append("| %s | %s | %d | %d | %d/%d | %s | %s | %s | %s | %s | "
                   "%s | %d |" % (
                       ip, roles[ip], c["sessions"], c["msgs"], c["ok"],
                       c["rej"], pair(c["open_m"], c["open_p"]),
                       pair(c["att_t"], c["att_p"]),
                       pair(c["auth_m"], c["auth_p"]), c["ndr"] or "-",
                       c["bl"] or "-",
                       "%d/%d/%d" % (c["sent"], c["deferred"], c["bounced"])
                       if c["sent"] + c["deferred"] + c["bounced"] else "-",
                       c["warn"]))
    out += ["", "Accounts:", "",
            "| account | auth-relay msgs/pairs | foreign sent |",
            "|---|---|---|"]
    for u, a in sorted(accounts.items()):
        out.append("| %s | %d/%d | %d |" % (u, a["m"], a["p"], a["sent"]))
    out += ["", "Local submission (no SMTP session): alice@corp.example from "
            "her mailbox to partner@customer.example (outbound, trusted, "
            "delivered). `webmaster@corp.example` is an alias of carol "
            "(RESOLVE): inbound.", "",
            "Where the sample had to guess (no public log shows it): the "
            "client's lines inside AUTH LOGIN are written "
            "`<authentication response>`; the NDR's DSN row has "
            "`reference` = the internal id of the message that bounced "
            "(as Microsoft documents it), sender "
            "`MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.example`"
            " and `return-path` `<>`.", ""]
    with open(os.path.join(HERE, "expected.md"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
