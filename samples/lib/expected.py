#!/usr/bin/env python3
"""Ground truth for the sample incident, derived from the traffic plan only.

Reads plan.tsv (what each client did and which replies it got: drive.py
checks those against the real server on every run) and sink-rules.tsv (how
"the Internet" answers each domain), applies the rules written below, and
prints a TSV with one line per envelope recipient (--pairs) or writes the
summary tables of expected.md (--markdown). No analyzer and no log is read.
"""
import argparse
import ipaddress
import re
import sys
from collections import OrderedDict, defaultdict

# From postfix/main.cf (phase 2, the configuration the administrator hands
# to the analyzer), with $myhostname/$mydomain expanded.
LOCAL_DOMAINS = {"mx.corp.example", "localhost.corp.example", "localhost", "corp.example"}
RELAY_DOMAINS = {"partner.example"}                 # authorized: counts as inbound
MYNETWORKS = [ipaddress.ip_network(n) for n in ("127.0.0.1/32", "127.0.0.10/32")]
SASL_REALM = "corp.example"                           # smtpd_sasl_local_domain
ALIASES = {"postmaster": "root", "root": "alice", "abuse": "alice",
           "webmaster": "carol", "ceo": "carol", "bouncer": "|/bin/false"}
# Local mailboxes; None means every local address is delivered (the
# Postfix sample never accepts mail for an unknown local user).
USERS = None
# Does the MTA route the decoded address (Postfix rewrites the % hack and
# the others) or the address as given (Exim: only the source route goes)?
ROUTE_DECODED = True
REFUSED_NDR = " (refused with a blocklist reply; discarded, no double bounce: notify_classes lacks 2bounce)"
ACCOUNT_HEADING = "Per SASL account (`sasl_username=` as Postfix logs it)"
FAILED_HEADING = "Failed AUTH attempts (`SASL ... authentication failed ... sasl_username=`)"
BLOCKLIST_RE = re.compile(r"spamhaus|spamcop|barracuda|blocked using|listed at", re.I)
COLUMNS = ["id", "phase", "client", "port", "helo", "auth", "mail_from",
           "rcpt_to", "mode", "expect", "subject"]


def read_plan(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.strip() and not line.startswith("#"):
            rows.append(dict(zip(COLUMNS, line.split("\t"))))
    return rows


def read_rules(path):
    rules = {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            d, code, text, _ = line.split("\t")
            rules[d] = (int(code), text)
    return rules


def parse_expect(s):
    out = {}
    for tok in s.split():
        k, _, v = tok.partition("=")
        out[k] = v.split(",")
    return out


def domain_of(addr):
    return addr.rsplit("@", 1)[1].lower() if "@" in addr else ""


def decode(addr):
    """Return (decoded address, trick kind or '')."""
    a, trick = addr, ""
    if a.startswith("@") and ":" in a:                   # @local:user@victim
        a, trick = a.split(":", 1)[1], "source-route"
    m = re.match(r'^"(.*)"@([^@]+)$', a)
    if m:
        local, dom = m.group(1), m.group(2)
    else:
        local, _, dom = a.rpartition("@")
    if dom.lower() in LOCAL_DOMAINS and not trick:
        if "@" in local:                                  # "user@victim"@local, user@victim@local
            a, trick = local, ("quoted" if m else "double-at")
        elif "%" in local:                                # user%victim@local
            u, _, d = local.rpartition("%")
            a, trick = f"{u}@{d}", "percent"
        elif "!" in local:                                # victim!user@local
            d, _, u = local.partition("!")
            a, trick = f"{u}@{d}", "bang"
        elif local.upper().startswith("IMCEASMTP-"):       # IMCEASMTP-user+40victim@local
            enc = local[len("IMCEASMTP-"):]
            dec = re.sub(r"\+([0-9A-Fa-f]{2})", lambda x: chr(int(x.group(1), 16)), enc)
            if "@" in dec:
                a, trick = dec, "imcea"
    return a, trick


def dclass(dom):
    if dom in LOCAL_DOMAINS:
        return "local"
    if dom in RELAY_DOMAINS:
        return "authorized"
    return "foreign"


def auth_result(row):
    """(sasl_username or '', [failed logins as logged])"""
    if row["auth"] in ("-", ""):
        return "", []
    codes = parse_expect(row["expect"]).get("auth", [])
    ok, failed = "", []
    for spec, code in zip(row["auth"].split(";"), codes):
        login = spec.split("/")[0]
        logged = login if "@" in login or not SASL_REALM else f"{login}@{SASL_REALM}"
        if code == "235":
            ok = logged
        else:
            failed.append(logged)
    return ok, failed


def delivery(rcpt_decoded, rules):
    """Predicted final outcome of one accepted recipient: (outcome, reply)."""
    dom = domain_of(rcpt_decoded)
    c = dclass(dom)
    if c == "local":
        user = rcpt_decoded.split("@")[0].split("+")[0].lower()
        seen = set()
        while user in ALIASES and user not in seen:
            seen.add(user)
            user = ALIASES[user]
        if user.startswith("|"):
            return "bounced", "Command died with status 1"
        if USERS is not None and user not in USERS:
            return "bounced", "Unrouteable address"
        return "sent", "delivered to mailbox"
    code, text = rules.get(dom, (250, "2.1.5 Ok"))
    if code < 300:
        return "sent", "250 2.0.0 Ok: queued as ..."
    if code < 500:
        return "deferred", f"{code} {text}"
    return "bounced", f"{code} {text}"


def build(plan, rules):
    pairs = []        # one dict per envelope recipient (RCPT TO)
    sessions = []     # one dict per session
    for row in plan:
        mode = row["mode"]
        if mode.startswith("@") and mode != "@sendmail":
            continue
        pickup = mode == "@sendmail"
        exp = parse_expect(row["expect"])
        user, failed = auth_result(row)
        client = "pickup" if pickup else row["client"]
        if user:
            authority = "auth"
        elif pickup or any(ipaddress.ip_address(client) in n for n in MYNETWORKS):
            authority = "trusted"
        else:
            authority = "none"
        rcpts = row["rcpt_to"].split() if row["rcpt_to"] != "-" else []
        codes = ["250"] * len(rcpts) if pickup else exp.get("rcpt", [])
        queued = pickup or (exp.get("data", [""])[-1] == "250")
        sess = dict(id=row["id"], phase=row["phase"], client=client, port=row["port"],
                    user=user, failed=failed, tx=1 if rcpts else 0, queued=queued,
                    mode=mode)
        sessions.append(sess)
        sender = "" if row["mail_from"] == "<>" else row["mail_from"]
        sclass = "null" if not sender else dclass(domain_of(sender))
        for raw, code in zip(rcpts, codes):
            if code == "503":
                continue        # refused before any recipient check (no MAIL)
            dec, trick = decode(raw)
            rc = dclass(domain_of(dec))
            if rc in ("local", "authorized"):
                direction = "local" if (rc == "local" and sclass == "local") else "inbound"
            elif sclass == "local":
                direction = "outbound"
            else:
                direction = "relay"
            accepted = code.startswith("2")
            p = dict(id=row["id"], phase=row["phase"], client=client, port=row["port"],
                     user=user, sender=sender or "<>", sclass=sclass, raw=raw, decoded=dec,
                     trick=trick, rclass=rc, direction=direction, authority=authority,
                     code=code, accepted=accepted, queued=queued and accepted,
                     outcome="rejected" if not accepted else ("accepted" if not queued else ""),
                     reply="", blocklist=False, ndr=False, findings=[])
            if p["queued"]:
                routed = dec if ROUTE_DECODED or trick == "source-route" else raw
                p["outcome"], p["reply"] = delivery(routed, rules)
                p["blocklist"] = bool(BLOCKLIST_RE.search(p["reply"]))
            f = p["findings"]
            if authority == "none" and direction in ("relay", "outbound"):
                f.append("open-relay" if accepted else "relay-attempt")
            if authority == "auth" and rc == "foreign" and accepted:
                f.append("auth-relay")
            if authority == "trusted" and direction == "relay" and accepted:
                f.append("trusted-relay")
            if trick:
                f.append("address-trick")
            pairs.append(p)
    # non-delivery notifications made by the server (one per message with
    # bounced recipients and a non-null sender), attributed to the client
    ndrs = []
    by_msg = OrderedDict()
    for p in pairs:
        if p["queued"]:
            by_msg.setdefault(p["id"], []).append(p)
    for mid, ps in by_msg.items():
        if any(p["outcome"] == "bounced" for p in ps) and ps[0]["sender"] != "<>":
            snd = ps[0]["sender"]
            outcome, reply = delivery(snd, rules)
            ndrs.append(dict(id=mid, client=ps[0]["client"], user=ps[0]["user"],
                             to=snd, tclass=dclass(domain_of(snd)), outcome=outcome,
                             reply=reply, blocklist=bool(BLOCKLIST_RE.search(reply)),
                             refused=(outcome == "bounced")))
    return sessions, pairs, ndrs


def tally(keyf, sessions, pairs, ndrs):
    t = defaultdict(lambda: defaultdict(int))
    sets = defaultdict(lambda: defaultdict(set))
    for s in sessions:
        k = keyf(s)
        if k is None:
            continue
        t[k]["sessions"] += 1
        t[k]["tx"] += s["tx"]
        t[k]["msgs"] += 1 if s["queued"] else 0
    for p in pairs:
        k = keyf(p)
        if k is None:
            continue
        t[k]["rcpt_ok" if p["accepted"] else "rcpt_rej"] += 1
        for f in p["findings"]:
            t[k][f + ":pairs"] += 1
            if f == "address-trick":
                t[k]["address-trick:" + ("accepted" if p["accepted"] else "rejected")] += 1
            if p["queued"]:
                sets[k][f].add(p["id"])
            elif f == "relay-attempt":
                sets[k][f].add(p["id"])
        if p["queued"] and p["rclass"] == "foreign":
            t[k]["foreign:" + p["outcome"]] += 1
        if p["blocklist"]:
            t[k]["blacklisted"] += 1
    for n in ndrs:
        k = keyf(n)
        if k is None:
            continue
        if n["tclass"] == "foreign":
            t[k]["backscatter:msgs"] += 1
            t[k]["backscatter:pairs"] += 1
        if n["blocklist"]:
            t[k]["blacklisted"] += 1
    for k, fs in sets.items():
        for f, ids in fs.items():
            t[k][f + ":msgs"] = len(ids)
    return t


HEADER = """# Sample incident: expected results (ground truth)

Generated by `lib/expected.py` from `plan.tsv` (what every client did and the
replies it got, which `lib/drive.py` checks against the real server on every
run) and `sink-rules.tsv` (how the loopback "Internet" answers). No analyzer
and no log line went into it. It was checked by hand against
`postfix/mail.log` (see README.md, "Verification"). One line per recipient:
`expected-recipients.tsv`.

## Rules

Facts from the configuration the administrator hands over (`postfix/main.cf`, phase 2):

- local domains (mydestination, expanded): corp.example, mx.corp.example,
  localhost.corp.example, localhost; authorized relay destination
  (relay_domains, backup MX): partner.example, which counts as inbound;
- trusted networks (mynetworks): 127.0.0.1/32, 127.0.0.10/32. In phase 1
  Postfix itself ran with Debian's stock `mynetworks = 127.0.0.0/8 ...`, which
  on this loopback stage covered every client; that is the hole. The ground
  truth judges phase 1 by the networks the administrator meant (the fixed
  ones), as an investigator with the fixed main.cf does;
- recipient addresses are decoded before judging: `u%d@local`, `d!u@local`,
  `@local:u@d`, `"u@d"@local`, `u@d@local`, `IMCEASMTP-u+40d@local` all mean `u@d`.

Per recipient (RCPT TO): direction = inbound (decoded recipient local or
partner.example; local if the sender is local too), outbound (sender local,
recipient foreign), relay (sender foreign or `<>`, recipient foreign).
Authority = auth (a successful AUTH in the session before MAIL), trusted
(client in mynetworks, or local sendmail), none.

- open-relay: authority none, direction relay or outbound, RCPT accepted.
  "msgs" counts queued messages, "pairs" accepted RCPTs (a probe that got
  250 to RCPT and quit before DATA counts as a pair without a message);
- relay-attempt: the same but the RCPT was rejected; "tx" counts MAIL
  transactions (there is no queued message);
- auth-relay: authority auth, decoded recipient foreign, accepted;
- trusted-relay: authority trusted, direction relay (foreign sender to foreign recipient), accepted;
- address-trick: recipient written with one of the encodings above, accepted or rejected;
- backscatter: NDRs the server generated (bounce(8), `from=<>`) to a foreign
  address, attributed to the client (and account) of the message that bounced;
- blacklisted: delivery attempts refused with a reply naming a blocklist
  (zen.spamhaus.org, bl.spamcop.net), including refused NDRs;
- pairs are distinct (message, raw recipient address); foreign
  sent/deferred/bounced = final outcome of the accepted foreign recipients
  (decoded); deferred recipients are retried once by `postqueue -f` at the end
  and are logged `status=deferred` twice, they count once.
"""

FOOTER = """
## Surprises in what Postfix really logged

See README.md, "What Postfix really logged", for the exact lines (address
tricks rewritten and logged with `orig_to=`, the source route that leaves no
trace in the log, rejects that carry a queue id, the probe that gets a queue
id but no message, the discarded double bounce, sanitized HELO names).
"""

INNOCENT_NOTES = """
Notes: 127.0.0.1 (the server itself, local senders) and 127.0.0.10's two
contact-form mails are trusted local mail; 127.0.0.50 sent inbound spam and
probed for users (three `User unknown in local recipient table` rejects) but
never tried to relay, so it is not a relay finding; 127.0.0.40 delivered a
real DSN (`MAIL FROM:<>`) to alice, which is inbound and is not backscatter.
"""

KINDS = ["open-relay", "relay-attempt", "auth-relay", "trusted-relay", "address-trick", "backscatter"]


UNITS = {"open-relay": "msgs/pairs", "relay-attempt": "tx/pairs", "auth-relay": "msgs/pairs",
         "trusted-relay": "msgs/pairs", "address-trick": "pairs acc/rej", "backscatter": "NDRs"}


def table(t, keyname, order=None):
    keys = order or sorted(t, key=lambda k: (k == "pickup", ipaddress.ip_address(k) if k[0].isdigit() else 0, k))
    head = [keyname, "sessions", "msgs accepted", "rcpt ok/rej"]
    head += [f"{k} {UNITS[k]}" for k in KINDS]
    head += ["blacklisted", "foreign sent/deferred/bounced"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for k in keys:
        v = t[k]
        cells = [k, str(v["sessions"]), str(v["msgs"]), f'{v["rcpt_ok"]}/{v["rcpt_rej"]}']
        for kind in KINDS:
            if kind == "address-trick":
                a, r = v[kind + ":accepted"], v[kind + ":rejected"]
                cells.append("-" if not (a or r) else f"{a}/{r}")
            elif kind == "backscatter":
                cells.append(str(v[kind + ":msgs"] or "-"))
            else:
                m, p = v[kind + ":msgs"], v[kind + ":pairs"]
                cells.append("-" if not (m or p) else f"{m}/{p}")
        cells.append(str(v["blacklisted"] or "-"))
        s, d, b = v["foreign:sent"], v["foreign:deferred"], v["foreign:bounced"]
        cells.append("-" if not (s or d or b) else f"{s}/{d}/{b}")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--pairs", action="store_true", help="one TSV line per recipient")
    ap.add_argument("--markdown", action="store_true", help="the generated tables of expected.md")
    ap.add_argument("--profile", choices=["postfix", "exim", "sendmail", "opensmtpd"], default="postfix",
                    help="which sample's configuration and texts (default postfix)")
    a = ap.parse_args()
    if a.profile == "exim":
        import expected_exim
        expected_exim.apply(globals())
    elif a.profile in ("sendmail", "opensmtpd"):
        import importlib
        importlib.import_module("expected_" + a.profile).apply(globals())
    sessions, pairs, ndrs = build(read_plan(a.plan), read_rules(a.rules))
    if a.pairs or not a.markdown:
        cols = ["id", "phase", "client", "port", "sasl_username", "sender", "rcpt_raw",
                "rcpt_decoded", "trick", "direction", "authority", "rcpt_reply", "outcome",
                "blocklist_reply", "findings"]
        print("# generated by lib/expected.py from plan.tsv and sink-rules.tsv: one line per RCPT TO")
        print("# outcome: rejected (at RCPT) | accepted (RCPT 250 but no DATA) | sent | deferred | bounced (final delivery)")
        print("\t".join(cols))
        for p in pairs:
            print("\t".join([p["id"], p["phase"], p["client"], p["port"], p["user"] or "-",
                             p["sender"], p["raw"], p["decoded"], p["trick"] or "-",
                             p["direction"], p["authority"], p["code"], p["outcome"],
                             "yes" if p["blocklist"] else "-", ",".join(p["findings"]) or "-"]))
        print("# server-generated non-delivery notifications (bounce(8)), one per message")
        print("# (an NDR that is itself refused is discarded: notify_classes has no 2bounce)")
        print("#ndr\tfor_id\tclient\tsasl_username\tto\tto_class\toutcome\tblocklist_reply")
        for n in ndrs:
            print("\t".join(["ndr", n["id"], n["client"], n["user"] or "-", n["to"], n["tclass"],
                             n["outcome"], "yes" if n["blocklist"] else "-"]))
        return
    by_ip = tally(lambda x: x["client"], sessions, pairs, ndrs)
    by_user = tally(lambda x: x["user"] or None, sessions, pairs, ndrs)
    failed = defaultdict(int)
    for s in sessions:
        for f in s["failed"]:
            failed[f] += 1
    ips = defaultdict(set)
    foreign_senders = defaultdict(set)
    for s in sessions:
        if s["user"]:
            ips[s["user"]].add(s["client"])
    for p in pairs:
        if p["user"] and p["sclass"] != "local":
            foreign_senders[p["user"]].add(p["sender"])
    flagged_users = {u for u in ips if len(ips[u]) > 1 or foreign_senders[u]}
    innocent = []
    for ip, v in by_ip.items():
        bad = any(v[k + ":pairs"] for k in ("open-relay", "relay-attempt", "trusted-relay", "address-trick"))
        bad = bad or v["backscatter:msgs"]
        users = {s["user"] for s in sessions if s["client"] == ip and s["user"]}
        if not bad and not (users & flagged_users):
            innocent.append(ip)
    tot = tally(lambda x: "all", sessions, pairs, ndrs)["all"]
    print(HEADER)
    print("## Per client IP\n")
    print(table(by_ip, "client"))
    print(f"\n## {ACCOUNT_HEADING}\n")
    print(table(by_user, "account"))
    print(f"\n{FAILED_HEADING}: " +
          ", ".join(f"{k} {v}" for k, v in sorted(failed.items())) + ".")
    print("\nClient IPs per account: " + "; ".join(
        f"{u}: {', '.join(sorted(v, key=ipaddress.ip_address))}" for u, v in sorted(ips.items())) + ".")
    print("\nForeign envelope senders per account: " + "; ".join(
        f"{u}: {', '.join(sorted(foreign_senders[u])) or 'none'}" for u in sorted(ips)) + ".")
    print(f"\nAccounts that must be flagged (auth-relay from more than one IP or with foreign senders): "
          f"{', '.join(sorted(flagged_users))}. The others relay only their own mail from one IP each.")
    print("\n## Server-generated non-delivery notifications (backscatter and others)\n")
    print("| for plan row | client | account | NDR to | class | NDR outcome |")
    print("|---|---|---|---|---|---|")
    for n in ndrs:
        oc = n["outcome"] + (REFUSED_NDR if n["refused"] else "")
        print(f"| {n['id']} | {n['client']} | {n['user'] or '-'} | {n['to']} | {n['tclass']} | {oc} |")
    print(f"\n{len(ndrs)} NDRs, {sum(1 for n in ndrs if n['tclass'] == 'foreign')} of them to foreign "
          f"(forged) senders = backscatter; the one to ceo@corp.example is local (alias to carol) and is not backscatter.")
    print("\n## Must NOT be flagged (innocent)\n")
    print("Client IPs with no open-relay, relay-attempt, trusted-relay, address-trick or backscatter finding and no "
          "flagged account: " + ", ".join(sorted(innocent, key=lambda k: (k == "pickup", ipaddress.ip_address(k) if k[0].isdigit() else 0))) + ".")
    print("Accounts: " + ", ".join(sorted(set(ips) - flagged_users)) + ".")
    print(INNOCENT_NOTES)
    print(f"\n## Totals\n\n{tot['sessions']} sessions (the local sendmail submission counted as one, client `pickup`), "
          f"{tot['msgs']} client messages accepted into the queue, {tot['rcpt_ok']} RCPTs accepted and "
          f"{tot['rcpt_rej']} rejected, {len(ndrs)} NDRs generated by the server. "
          f"Foreign recipients of accepted messages: {tot['foreign:sent']} sent, {tot['foreign:deferred']} deferred, "
          f"{tot['foreign:bounced']} bounced; {tot['blacklisted']} delivery attempts refused with a blocklist reply.")
    print(FOOTER)

if __name__ == "__main__":
    main()
