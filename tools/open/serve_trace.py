#!/usr/bin/env python3
"""Open a timeline in ui.perfetto.dev in one step: serve it once on 127.0.0.1.

    python3 tools/open/serve_trace.py TRACE.json [--port N] [--origin URL]

Serves TRACE.json at http://127.0.0.1:PORT/NAME with the CORS headers the UI's fetch
needs (the page's origin allowed, including Chrome's private-network preflight), prints
the ui.perfetto.dev link that makes the UI fetch it (its `#!/?url=` deep link, as
Perfetto's own open_trace_in_ui uses), and stops once the whole file was sent, or on ^C.
The port defaults to 9001: the one local port ui.perfetto.dev's content security policy
lets it fetch from. --port 0 takes any free port (for tests); the link line says which.
Exit status: 0 served (or interrupted), 1 no such file or the port is busy, 2 bad usage.
"""

import argparse
import http.server
import os
import sys
from urllib.parse import quote, unquote

UI = "https://ui.perfetto.dev"
DEFAULT_PORT = 9001


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "faultline-open"

    def log_message(self, fmt, *args):
        pass                                     # one line per fetch is printed instead

    def cors(self):
        self.send_header("Access-Control-Allow-Origin", self.server.origin)
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Cache-Control", "no-cache")

    def do_OPTIONS(self):                        # the browser's preflight
        self.send_response(204)
        self.cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        if unquote(self.path.split("?", 1)[0]) != "/" + self.server.name:
            self.send_response(404)
            self.cors()
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(self.server.path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.server.served = len(data)

    def do_POST(self):
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()


def serve(path, port, origin):
    try:
        httpd = http.server.HTTPServer(("127.0.0.1", port), Handler)
    except OSError as e:
        print("open: cannot listen on 127.0.0.1:%d (%s); is another `make open` "
              "running?" % (port, e.strerror), file=sys.stderr)
        return 1
    httpd.path, httpd.name, httpd.origin, httpd.served = path, os.path.basename(path), origin, 0
    url = "http://127.0.0.1:%d/%s" % (httpd.server_address[1], quote(httpd.name))
    try:
        print("open: serving %s (%d bytes) at %s until the UI has fetched it (^C stops)"
              % (path, os.path.getsize(path), url))
        print("open: %s/#!/?url=%s" % (origin, url), flush=True)
        while not httpd.served:
            httpd.handle_request()
    except KeyboardInterrupt:
        print("\nopen: interrupted", file=sys.stderr)
    finally:
        httpd.server_close()
    if httpd.served:
        print("open: the UI fetched %d bytes; done" % httpd.served)
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description="Serve a trace once for ui.perfetto.dev.")
    ap.add_argument("trace")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    ap.add_argument("--origin", default=UI, help="the UI's origin (default %(default)s)")
    args = ap.parse_args(argv)
    if not os.path.isfile(args.trace):
        print("open: %s: no such file" % args.trace, file=sys.stderr)
        return 1
    return serve(args.trace, args.port, args.origin.rstrip("/"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
