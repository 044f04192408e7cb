#!/usr/bin/env python3
"""Replay a traffic plan (plan.tsv) against the sample MTA on 127.0.0.1
(or, where a row's port column is ADDRESS:PORT, the server at ADDRESS).

One plan row = one SMTP session (or one action: rotate the log, reconfigure
Postfix, flush the queue, local sendmail submission, sleep). Every session is
made from its own loopback source address with a raw socket client, so the
exact bytes (EHLO names, addresses with routing tricks, pipelined commands)
are what the plan says. The replies actually received are written to the
results file and compared with the plan's expectations; a mismatch is
reported and makes the exit status 1.

--mta exim switches the queue actions (@wait-queue, @flush) to Exim's
tools and log; everything on the wire is the same for every MTA.

Standard library only.
"""
import argparse
import base64
import email.utils
import hashlib
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time

SERVER = "127.0.0.1"
MTA = "postfix"
COLUMNS = ["id", "phase", "client", "port", "helo", "auth", "mail_from",
           "rcpt_to", "mode", "expect", "subject"]


def read_plan(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != len(COLUMNS):
                sys.exit(f"{path}:{n}: {len(cells)} columns, want {len(COLUMNS)}")
            rows.append(dict(zip(COLUMNS, cells)))
    return rows


def read_accounts(path):
    acc = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            login, pw = line.rstrip("\n").split("\t")[:2]
            acc[login] = pw
    return acc


class Session:
    def __init__(self, src, port, timeout=30, server=None):
        server = server or SERVER
        for a in (src, server):
            if not ipaddress.ip_address(a).is_loopback:
                raise SystemExit(f"refusing non-loopback address {a}")
        self.sock = socket.create_connection((server, port), timeout=timeout,
                                             source_address=(src, 0))
        self.f = self.sock.makefile("rb")
        self.log = []

    def send(self, data):
        self.sock.sendall(data)

    def reply(self):
        lines = []
        while True:
            l = self.f.readline()
            if not l:
                raise ConnectionError("connection closed by server")
            l = l.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(l)
            if len(l) < 4 or l[3] != "-":
                break
        code = lines[-1][:3]
        self.log.append(code)
        return code, lines

    def cmd(self, line):
        self.send(line.encode("utf-8") + b"\r\n")
        return self.reply()

    def starttls(self):
        code, _ = self.cmd("STARTTLS")
        if code != "220":
            return code
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(self.sock, server_hostname="mx.corp.example")
        self.f = self.sock.makefile("rb")
        return code

    def close(self):
        try:
            self.f.close()
            self.sock.close()
        except OSError:
            pass


def message(row, n_rcpts):
    """A small RFC 5322 message. Spamware rows (mode +bare) carry no
    Date/Message-ID, like many bulk mailers."""
    sender = row["mail_from"] if row["mail_from"] != "<>" else "MAILER-DAEMON@" + row["helo"].split()[0]
    rcpts = row["rcpt_to"].split()
    h = []
    h.append(f"From: {sender}")
    h.append(f"To: {rcpts[0]}" if n_rcpts == 1 else "To: undisclosed-recipients:;")
    h.append(f"Subject: {row['subject']}")
    if "+bare" not in row["mode"]:
        h.append("Date: " + email.utils.formatdate(localtime=False))
        dom = sender.rsplit("@", 1)[-1] if "@" in sender else "localhost"
        tag = hashlib.sha1(row["id"].encode()).hexdigest()[:10]
        h.append(f"Message-ID: <{tag}.{row['id']}@{dom}>")
    h.append("MIME-Version: 1.0")
    h.append("Content-Type: text/plain; charset=us-ascii")
    body = [
        "",
        f"{row['subject']}",
        "",
        "This message is part of the relaytrace sample incident.",
        f"Plan row {row['id']}.",
    ]
    return "\r\n".join(h + body) + "\r\n"


def queued_id(line):
    """The queue id in a 250 reply to DATA: Postfix "queued as X",
    Exim "OK id=X"."""
    if "queued as" in line:
        return line.rsplit(" ", 1)[-1]
    if " id=" in line:
        return line.rsplit("id=", 1)[-1].split()[0]
    return ""


def parse_expect(s):
    exp = {}
    if s in ("", "-"):
        return exp
    for tok in s.split():
        k, _, v = tok.partition("=")
        exp[k] = v.split(",")
    return exp


def do_auth(sess, spec, accounts):
    """spec: login/MECH or login/MECH/badpw=WORD ; returns reply code."""
    parts = spec.split("/")
    login, mech = parts[0], parts[1].upper()
    pw = accounts.get(login, "")
    for p in parts[2:]:
        if p.startswith("badpw="):
            pw = p[len("badpw="):]
    if mech == "PLAIN":
        tok = base64.b64encode(b"\0" + login.encode() + b"\0" + pw.encode()).decode()
        code, _ = sess.cmd("AUTH PLAIN " + tok)
    elif mech == "LOGIN":
        code, _ = sess.cmd("AUTH LOGIN")
        if code == "334":
            code, _ = sess.cmd(base64.b64encode(login.encode()).decode())
        if code == "334":
            code, _ = sess.cmd(base64.b64encode(pw.encode()).decode())
    else:
        raise SystemExit(f"unknown mechanism {mech}")
    return code


def run_session(row, accounts):
    mode = row["mode"]
    # the port column is PORT (the server at SERVER) or ADDRESS:PORT
    server, _, port = row["port"].rpartition(":")
    port = int(port)
    got = {}
    s = Session(row["client"], port, server=server or None)
    try:
        if "pipeline" in mode:
            # improper pipelining: a bulk mailer writes the whole
            # transaction at once right after the greeting, without
            # waiting for replies (EHLO and DATA are not allowed to be
            # pipelined like this).
            code, _ = s.reply()
            got["banner"] = [code]
            rcpts = row["rcpt_to"].split()
            blob = [f"EHLO {row['helo']}", f"MAIL FROM:<{row['mail_from']}>"]
            blob += [f"RCPT TO:<{r}>" for r in rcpts]
            blob += ["DATA"]
            msg = message(row, len(rcpts))
            data = "\r\n".join(blob) + "\r\n" + msg + ".\r\nQUIT\r\n"
            s.send(data.encode())
            got["ehlo"] = [s.reply()[0]]
            got["mail"] = [s.reply()[0]]
            got["rcpt"] = [s.reply()[0] for _ in rcpts]
            got["data"] = [s.reply()[0]]
            if got["data"][0] == "354":
                code, lines = s.reply()
                got["data"].append(code)
                qid = queued_id(lines[-1])
                if qid:
                    got["queued_as"] = [qid]
            got["quit"] = [s.reply()[0]]
            return got
        if mode == "pregreet":
            # an impatient bot: EHLO before the server's greeting
            s.send(f"EHLO {row['helo']}\r\n".encode())
            code, _ = s.reply()
            got["banner"] = [code]
            got["ehlo"] = [s.reply()[0]]
            got["quit"] = [s.cmd("QUIT")[0]]
            return got
        code, _ = s.reply()
        got["banner"] = [code]
        if mode == "drop":
            return got
        if mode == "quit":
            got["quit"] = [s.cmd("QUIT")[0]]
            return got
        helo = row["helo"]
        verb = "EHLO"
        if helo.startswith("HELO:"):
            verb, helo = "HELO", helo[5:]
        got["ehlo"] = [s.cmd(f"{verb} {helo}")[0]]
        if "+tls" in mode:
            got["starttls"] = [s.starttls()]
            got["ehlo"].append(s.cmd(f"{verb} {helo}")[0])
        if row["auth"] != "-":
            got["auth"] = [do_auth(s, a, accounts) for a in row["auth"].split(";")]
        if mode == "syntax":
            # commands the server does not know, until it gives up
            got["junk"] = []
            for junk in ("XYZZY", "MAIL FROMAGE", "RCPT TOO", "HACK THE PLANET"):
                got["junk"].append(s.cmd(junk)[0])
                if got["junk"][-1] == "421":
                    return got
            got["quit"] = [s.cmd("QUIT")[0]]
            return got
        if mode.startswith("authonly"):
            got["quit"] = [s.cmd("QUIT")[0]]
            return got
        got["mail"] = [s.cmd(f"MAIL FROM:<{'' if row['mail_from'] == '<>' else row['mail_from']}>")[0]]
        rcpts = row["rcpt_to"].split()
        got["rcpt"] = [s.cmd(f"RCPT TO:<{r}>")[0] for r in rcpts]
        ok = sum(1 for c in got["rcpt"] if c.startswith("2"))
        if mode.startswith("probe"):
            got["quit"] = [s.cmd("QUIT")[0]]
            return got
        if ok or "+forcedata" in mode:
            code, _ = s.cmd("DATA")
            got["data"] = [code]
            if code == "354":
                msg = message(row, len(rcpts))
                msg = "".join(("." + l if l.startswith(".") else l) + "\r\n"
                              for l in msg.split("\r\n")[:-1])
                s.send(msg.encode() + b".\r\n")
                code, lines = s.reply()
                got["data"].append(code)
                got["queued_as"] = [queued_id(lines[-1])]
        if mode == "send+nquit":
            return got
        got["quit"] = [s.cmd("QUIT")[0]]
        return got
    except (ConnectionError, OSError) as e:
        got["error"] = [type(e).__name__]
        return got
    finally:
        s.close()


def sh(*cmd, **kw):
    print("+ " + " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def wait_queue_exim(limit=60):
    """Exim: wait until every message received so far is completed or has
    been deferred (an "==" line) at least once, and the log has been quiet
    for a second (EXIM_MAINLOG names the log)."""
    path = os.environ["EXIM_MAINLOG"]
    last = None
    quiet = 0
    for _ in range(limit * 10):
        got, done, deferred = set(), set(), set()
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for l in text.splitlines():
            w = l.split()
            if len(w) < 4:
                continue
            i = 3 if w[2].startswith("[") else 2
            if len(w) <= i + 1:
                continue
            mid, flag = w[i], w[i + 1]
            if flag == "<=":
                got.add(mid)
            elif flag == "Completed":
                done.add(mid)
            elif flag == "==":
                deferred.add(mid)
        pending = got - done - deferred
        quiet = quiet + 1 if text == last else 0
        last = text
        if not pending and quiet >= 10:
            return
        time.sleep(0.1)


def wait_queue(limit=60):
    """Wait until no message is in the incoming or active queue."""
    import json
    if MTA == "exim":
        return wait_queue_exim(limit)
    for _ in range(limit * 10):
        out = subprocess.run(["postqueue", "-j"], capture_output=True, text=True).stdout
        busy = [j for j in (json.loads(l) for l in out.splitlines() if l.strip())
                if j.get("queue_name") in ("incoming", "active", "maildrop")]
        if not busy:
            return
        time.sleep(0.1)


def do_action(row, hook=None):
    """Run one action row.  With a hook (--hook), actions other than
    @sleep and @rotate are the hook's: `hook ACTION` (for @sendmail also
    the sender and recipients, with the message on standard input), so
    the same plan columns drive an MTA other than Postfix."""
    mode = row["mode"]
    if hook and mode.split("=", 1)[0] not in ("@sleep", "@rotate"):
        if mode == "@sendmail":
            rcpts = row["rcpt_to"].split()
            msg = message(row, len(rcpts)).replace("\r\n", "\n")
            sh(hook, mode, row["mail_from"], *rcpts, input=msg, text=True)
        else:
            sh(hook, mode)
        return
    if mode.startswith("@sleep="):
        time.sleep(float(mode.split("=", 1)[1]))
    elif mode == "@wait-queue":
        wait_queue()
    elif mode == "@rotate":
        d = os.environ["ROTATE_DIR"]
        if os.path.exists(f"{d}/mail.log.1"):
            os.rename(f"{d}/mail.log.1", f"{d}/mail.log.2")
        os.rename(f"{d}/mail.log", f"{d}/mail.log.1")
        os.kill(int(os.environ["RSYSLOG_PID"]), 1)      # SIGHUP, as logrotate does
    elif mode.startswith("@postconf="):
        sh("postconf", "-e", mode.split("=", 1)[1])
        sh("postfix", "reload")
        time.sleep(2)
    elif mode == "@flush":
        if MTA == "exim":
            sh("exim4", "-qff")     # every message, deferred ones too
        else:
            sh("postqueue", "-f")
    elif mode.startswith("@sh="):
        sh("bash", "-c", mode.split("=", 1)[1])
    elif mode == "@sendmail":
        rcpts = row["rcpt_to"].split()
        msg = message(row, len(rcpts)).replace("\r\n", "\n")
        subprocess.run(["sendmail", "-f", row["mail_from"], "--"] + rcpts,
                       input=msg, text=True, check=True)
    else:
        raise SystemExit(f"unknown action {mode}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", required=True)
    ap.add_argument("--accounts", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--gap", type=float, default=0.4, help="seconds between rows")
    ap.add_argument("--only", help="comma-separated row ids (debugging)")
    ap.add_argument("--hook", help="program that carries out the actions"
                    " (@wait-queue, @flush, @sendmail, @fix...) for an MTA other than Postfix")
    ap.add_argument("--mta", choices=["postfix", "exim"], default="postfix",
                    help="which MTA's queue tools the actions use")
    a = ap.parse_args()
    global MTA
    MTA = a.mta
    accounts = read_accounts(a.accounts)
    rows = read_plan(a.plan)
    if a.only:
        keep = set(a.only.split(","))
        rows = [r for r in rows if r["id"] in keep]
    bad = 0
    with open(a.results, "w", encoding="utf-8") as out:
        out.write("# id\tphase\tclient\tport\tstarted_utc\treplies\tqueued_as\tcheck\n")
        for row in rows:
            if row["mode"].startswith("@"):
                do_action(row, a.hook)
                out.write(f"{row['id']}\t{row['phase']}\t-\t-\t-\t{row['mode']}\t-\tdone\n")
                out.flush()
                continue
            started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
            got = run_session(row, accounts)
            exp = parse_expect(row["expect"])
            problems = []
            for k, want in exp.items():
                have = got.get(k, [])
                if have[:len(want)] != want:
                    problems.append(f"{k}: want {','.join(want)} got {','.join(have) or 'nothing'}")
            if "error" in got and "error" not in exp:
                problems.append("error " + ",".join(got["error"]))
            check = "ok" if not problems else "MISMATCH " + "; ".join(problems)
            if problems:
                bad += 1
                print(f"{row['id']}: {check}", file=sys.stderr)
            replies = " ".join(f"{k}={','.join(v)}" for k, v in got.items() if k != "queued_as")
            qid = ",".join(got.get("queued_as", [])) or "-"
            out.write(f"{row['id']}\t{row['phase']}\t{row['client']}\t{row['port']}\t"
                      f"{started}\t{replies}\t{qid}\t{check}\n")
            out.flush()
            time.sleep(a.gap)
    print(f"drive: {len(rows)} rows, {bad} mismatches", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
