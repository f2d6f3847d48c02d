# SPDX-License-Identifier: GPL-2.0-or-later
"""The HTTP server guests talk to: GET serves a directory, POST answers the body's MD5.

Run as a program (possibly inside a network namespace with "ip netns exec"):
    python3 httpd.py ADDRESS DIRECTORY
It binds ADDRESS on a free port, prints "QD-HTTP port=N" once it listens,
and logs every request, with the MD5 and size of every body it receives,
on stdout until it is killed. ADDRESS need not exist yet (IP_FREEBIND): a
test starts the server before the link a back-end creates comes up.
"""
import hashlib
import socket
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


IP_FREEBIND = getattr(socket, "IP_FREEBIND", 15)


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_POST(self):
        """Read a Content-Length body; answer "md5 size" of what arrived."""
        want = int(self.headers.get("Content-Length", "0"))
        md5, got = hashlib.md5(), 0
        while got < want:
            chunk = self.rfile.read(min(1 << 16, want - got))
            if not chunk:
                break
            md5.update(chunk)
            got += len(chunk)
        answer = f"{md5.hexdigest()} {got}\n".encode()
        print(f"QD-HTTP post path={self.path} size={got} want={want} "
              f"md5={md5.hexdigest()}", flush=True)
        self.send_response(200 if got == want else 400)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, fmt, *args):
        print(f"QD-HTTP log {self.client_address[0]} {fmt % args}", flush=True)


class Server(ThreadingHTTPServer):
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
        super().server_bind()


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} ADDRESS DIRECTORY", file=sys.stderr)
        return 2
    server = Server((argv[1], 0), partial(Handler, directory=argv[2]))
    print(f"QD-HTTP port={server.server_address[1]}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
