#!/usr/bin/env python3
"""smtp-session.py - send several messages over one SMTP connection.

swaks sends one message per connection; the per-message state of a milter
is only exercised when one connection carries several messages. Usage:

    smtp-session.py PORT SCRIPT

SCRIPT has one command a line, fields separated by TABs:

    send MAILFROM FROM TOKEN [EXTRA-HEADER]   one message; FROM "-" = no From
                                              field, "||" in FROM separates
                                              several From fields
    rset MAILFROM                             MAIL FROM, then RSET
    auth LOGIN PASSWORD                       AUTH PLAIN on this connection
    reconnect                                 QUIT and connect again

For each message it prints "TOKEN<TAB>CODE<TAB>REPLY TEXT". A lost
connection is reported as code 000 and the script reconnects.
"""
import smtplib
import sys

RCPT = "rcpt@dest.ag-it.test"


def connect(port):
    smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="client.ag-it.test",
                        timeout=60)
    smtp.ehlo()
    return smtp


def message(from_field, token, extra):
    lines = []
    if from_field != "-":
        lines += ["From: " + f for f in from_field.split("||")]
    lines += ["To: " + RCPT, "Subject: session test " + token,
              "X-Test-Id: " + token]
    if extra:
        lines.append(extra)
    lines += ["", "body of " + token, ""]
    return "\r\n".join(lines).encode()


def send(smtp, mailfrom, from_field, token, extra):
    code, text = smtp.mail(mailfrom)
    if code != 250:
        smtp.rset()
        return code, text
    code, text = smtp.rcpt(RCPT)
    if code not in (250, 251):
        smtp.rset()
        return code, text
    try:
        return smtp.data(message(from_field, token, extra))
    except smtplib.SMTPDataError as err:
        return err.smtp_code, err.smtp_error


def main():
    port = int(sys.argv[1])
    smtp = connect(port)
    with open(sys.argv[2], encoding="utf-8") as script:
        for line in script:
            fields = line.rstrip("\n").split("\t")
            verb = fields[0]
            try:
                if verb == "send":
                    extra = fields[4] if len(fields) > 4 else ""
                    code, text = send(smtp, fields[1], fields[2], fields[3], extra)
                    text = text.decode(errors="replace").replace("\n", " ")
                    print("%s\t%03d\t%s" % (fields[3], code, text), flush=True)
                elif verb == "rset":
                    smtp.mail(fields[1])
                    smtp.rset()
                elif verb == "auth":
                    smtp.login(fields[1], fields[2])
                elif verb == "reconnect":
                    smtp.quit()
                    smtp = connect(port)
            except (smtplib.SMTPServerDisconnected, OSError) as err:
                if verb == "send":
                    print("%s\t000\t%s" % (fields[3], err), flush=True)
                smtp = connect(port)
    try:
        smtp.quit()
    except smtplib.SMTPException:
        pass


if __name__ == "__main__":
    main()
