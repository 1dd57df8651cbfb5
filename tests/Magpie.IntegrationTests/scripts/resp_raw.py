"""A small raw RESP2/RESP3 client for differential tests: replies as plain Python values."""
import socket
class Conn:
    def __init__(s, port, proto=2):
        s.sock = socket.create_connection(("127.0.0.1", port)); s.buf = b""
        if proto == 3: s.call("HELLO", "3")
    def _line(s):
        while b"\r\n" not in s.buf:
            d = s.sock.recv(65536)
            if not d: raise EOFError
            s.buf += d
        l, s.buf = s.buf.split(b"\r\n", 1); return l
    def _n(s, n):
        while len(s.buf) < n + 2:
            d = s.sock.recv(65536)
            if not d: raise EOFError
            s.buf += d
        v = s.buf[:n]; s.buf = s.buf[n+2:]; return v
    def read(s):
        l = s._line(); t = l[:1]; r = l[1:]
        if t in b"+": return ("+", r.decode())
        if t == b"-": return ("-", r.decode())
        if t == b":": return int(r)
        if t == b",": return (",", r.decode())
        if t == b"#": return r == b"t"
        if t == b"_": return None
        if t in (b"$", b"="):
            n = int(r)
            if n < 0: return None
            return s._n(n).decode("utf-8", "replace")
        if t in (b"*", b"~", b">"):
            n = int(r)
            if n < 0: return None
            return [s.read() for _ in range(n)]
        if t == b"%":
            n = int(r); return ("%", [(s.read(), s.read()) for _ in range(n)])
        raise Exception("bad " + repr(l))
    def send(s, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        s.sock.sendall(out)
    def call(s, *args):
        s.send(*args); return s.read()
