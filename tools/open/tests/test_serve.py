#!/usr/bin/env python3
"""serve_trace.py with a local HTTP client: status, headers and bytes.

    python3 tools/open/tests/test_serve.py [TRACE]

Starts the server on a free port, reads the link it prints, and checks: the link is
ui.perfetto.dev's #!/?url= deep link to the served URL; a preflight (OPTIONS with the
private-network request header) gets 204 and the CORS headers; another path gets 404
and the server keeps going; GET of the file gets 200, the CORS headers, the JSON type,
a Content-Length and exactly the file's bytes; then the server exits 0 on its own. A
missing file exits 1 with one line; ^C (SIGINT) while waiting exits 0.
Exit status 0 if all passed.
"""

import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile

SERVER = "tools/open/serve_trace.py"
UI = "https://ui.perfetto.dev"
failures = []


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def sigint_default():
    """In the server, before exec: ^C as a terminal delivers it. A shell without job
    control starts background commands with SIGINT ignored, and a Python started so
    keeps ignoring it, so a test run in the background would see no ^C at all."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(trace):
    p = subprocess.Popen([sys.executable, SERVER, trace, "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=sigint_default)
    p.stdout.readline()                          # "serving ..."
    link = p.stdout.readline().strip()
    return p, link


def wait(p):
    """The server's exit status within 10 s, or None (then it is killed)."""
    try:
        return p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        return None


def request(port, method, path, headers):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r, body


def main(argv):
    with tempfile.TemporaryDirectory() as tmp:
        trace = argv[1] if len(argv) > 1 else os.path.join(tmp, "t.json")
        if len(argv) < 2:
            with open(trace, "wb") as f:
                f.write(b'{"traceEvents":[]}\n' + bytes(range(256)) * 300)
        data = open(trace, "rb").read()
        name = os.path.basename(trace)
        p, link = start(trace)
        m = re.fullmatch(r"open: (https://ui\.perfetto\.dev)/#!/\?url="
                         r"http://127\.0\.0\.1:(\d+)/(.+)", link)
        check(m is not None and m.group(3) == name, "deep link: %s" % link)
        if not m:
            p.kill()
            return 1
        port = int(m.group(2))
        origin = {"Origin": UI}
        r, _ = request(port, "OPTIONS", "/" + name, dict(origin, **{
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Private-Network": "true"}))
        check(r.status == 204 and r.getheader("Access-Control-Allow-Origin") == UI and
              r.getheader("Access-Control-Allow-Private-Network") == "true",
              "preflight: 204 with the CORS headers")
        r, _ = request(port, "GET", "/other.json", origin)
        check(r.status == 404, "another path: 404")
        r, body = request(port, "GET", "/" + name, origin)
        check(r.status == 200, "GET: 200")
        check(r.getheader("Access-Control-Allow-Origin") == UI, "GET: CORS origin header")
        check(r.getheader("Content-Type") == "application/json", "GET: JSON content type")
        check(r.getheader("Content-Length") == str(len(data)), "GET: Content-Length")
        check(body == data, "GET: the file's %d bytes exactly" % len(data))
        rc = wait(p)
        check(rc == 0, "the server stops by itself after the fetch (status %s)" % rc)
        r = subprocess.run([sys.executable, SERVER, os.path.join(tmp, "missing.json")],
                           capture_output=True, text=True)
        check(r.returncode == 1 and r.stderr.count("\n") == 1, "missing file: status 1, "
              "one line")
        p, link = start(trace)
        p.send_signal(signal.SIGINT)
        rc = wait(p)
        check(rc == 0, "^C while waiting: status 0 (%s)" % rc)
    print("open: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
