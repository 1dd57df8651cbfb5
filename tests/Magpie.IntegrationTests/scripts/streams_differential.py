"""Differential test of the stream commands: the same commands go to Magpie and to redis-server
7.0.15 over raw sockets, in RESP2 and RESP3, and the reply bytes must be identical. Replies that
hold times (idle, delivery and seen times) are compared after masking those numbers.

usage: streams_differential.py MAGPIE_PORT REDIS_PORT [SEED]
"""
import random
import re
import socket
import sys


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        i = self.buf.index(b"\r\n")
        line, self.buf = self.buf[: i + 2], self.buf[i + 2:]
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read(self):
        """One reply, as its raw bytes."""
        line = self._line()
        t = line[:1]
        if t in b"$=!":
            n = int(line[1:-2])
            return line if n < 0 else line + self._exact(n + 2)
        if t in b"*~>%|":
            n = int(line[1:-2])
            if n < 0:
                return line
            if t in b"%|":
                n *= 2
            return line + b"".join(self.read() for _ in range(n))
        return line

    def call(self, *args):
        self.send(args)
        return self.read()


TIME_FIELDS = (b"idle", b"seen-time")


def mask_times(reply):
    """Masks numbers that depend on the clock: XINFO idle/seen-time values, XPENDING idle
    columns, XINFO FULL delivery times."""
    # XINFO CONSUMERS / FULL: "$4\r\nidle\r\n:123\r\n", "$9\r\nseen-time\r\n:1700...\r\n"
    reply = re.sub(rb"(\$4\r\nidle\r\n):\d+\r\n", rb"\1:T\r\n", reply)
    reply = re.sub(rb"(\$9\r\nseen-time\r\n):\d+\r\n", rb"\1:T\r\n", reply)
    # Milliseconds timestamps (delivery times in XINFO FULL) are 13 digits.
    reply = re.sub(rb":1\d{12}\r\n", b":TS\r\n", reply)
    return reply


def mask_pending_idle(reply):
    # XPENDING extended rows: [id, consumer, idle, count]; idle is the first integer after the consumer bulk.
    return re.sub(rb"(\*4\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n", rb"\1:T\r\n", reply)


class Pair:
    def __init__(self, mport, rport, proto):
        self.m = Conn(mport)
        self.r = Conn(rport)
        self.proto = proto
        self.checked = 0
        if proto == 3:
            self.m.call("HELLO", "3")
            self.r.call("HELLO", "3")

    def check(self, *args, mask=None):
        a = self.m.call(*args)
        b = self.r.call(*args)
        if mask:
            a, b = mask(a), mask(b)
        if a != b:
            raise AssertionError(
                "RESP%d reply differs for %r\n magpie: %r\n redis:  %r" % (self.proto, args, a, b))
        self.checked += 1
        return a


def fixed_cases(p):
    c = p.check
    c("FLUSHALL")
    c("SET", "str", "x")
    # Errors and malformed ids.
    for bad in ["abc", "1-", "-1", "1-x", "1--1", "18446744073709551616", "1-18446744073709551616", "+", "-",
                "1.5", " 1", "+1", "-0", "01-02", "1-*", "1-2-3", "", "(", "(1"]:
        c("XADD", "s", bad, "f", "v")
        c("XDEL", "s", bad)
        c("XRANGE", "s", bad, "+")
        c("XRANGE", "s", "-", bad)
    c("XADD", "s", "0-0", "f", "v")
    c("XADD", "s", "0-*", "f", "v")
    c("XADD", "s", "5-*", "f", "v")
    c("XADD", "s", "5-*", "f", "v")
    c("XADD", "s", "5-1", "f", "v")
    c("XADD", "s", "4-9", "f", "v")
    c("XADD", "s", "5", "f", "v")
    c("XADD", "s", "18446744073709551615-18446744073709551614", "f", "v")
    c("XADD", "s", "18446744073709551615-*", "f", "v")
    c("XADD", "s", "*", "f", "v")
    c("XADD", "s", "18446744073709551615-*", "f", "v")
    c("DEL", "s")
    c("XADD", "s", "1-1", "f")
    c("XADD", "s", "1-1")
    c("XADD", "s", "1-1", "f", "v", "g")
    c("XADD", "s", "MAXLEN", "-1", "1-1", "f", "v")
    c("XADD", "s", "MAXLEN", "x", "1-1", "f", "v")
    c("XADD", "s", "MAXLEN", "1", "MINID", "1", "1-1", "f", "v")
    c("XADD", "s", "LIMIT", "10", "1-1", "f", "v")
    c("XADD", "s", "MAXLEN", "1", "LIMIT", "10", "1-1", "f", "v")
    c("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "1-1", "f", "v")
    c("XADD", "s", "MINID", "bad", "1-1", "f", "v")
    c("XADD", "s", "NOMKSTREAM", "1-1", "f", "v")
    c("EXISTS", "s")
    c("XADD", "str", "1-1", "f", "v")
    c("XLEN", "str")
    c("XRANGE", "str", "-", "+")
    c("XADD", "s", "1-1", "a", "1", "b", "2")
    c("XADD", "s", "2-1", "a", "3")
    c("XADD", "s", "3-1", "c", "5", "d", "6")
    c("XRANGE", "s", "-", "+")
    c("XRANGE", "s", "-", "+", "COUNT", "0")
    c("XRANGE", "s", "-", "+", "COUNT", "-5")
    c("XRANGE", "s", "-", "+", "COUNT", "2")
    c("XRANGE", "s", "-", "+", "COUNT")
    c("XRANGE", "s", "-", "+", "LIMIT", "2")
    c("XRANGE", "s", "(1-1", "+")
    c("XRANGE", "s", "-", "(3-1")
    c("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+")
    c("XRANGE", "s", "-", "(0-0")
    c("XRANGE", "s", "(-", "+")
    c("XRANGE", "s", "2", "2")
    c("XREVRANGE", "s", "+", "-")
    c("XREVRANGE", "s", "+", "-", "COUNT", "1")
    c("XREVRANGE", "s", "(3-1", "(1-1")
    c("XRANGE", "missing", "-", "+")
    c("XLEN", "s")
    c("XLEN", "missing")
    c("XDEL", "missing", "1-1")
    c("XDEL", "s", "2-1", "9-9", "2-1")
    c("XINFO", "STREAM", "s")
    c("XTRIM", "s")
    c("XTRIM", "s", "FOO", "1")
    c("XTRIM", "s", "MAXLEN")
    c("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "1")
    c("XTRIM", "s", "MAXLEN", "=", "1", "LIMIT", "1")
    c("XTRIM", "missing", "MAXLEN", "1")
    c("XTRIM", "str", "MAXLEN", "1")
    c("XTRIM", "s", "MAXLEN", "1")
    c("XINFO", "STREAM", "s")
    c("XSETID", "s", "1-1")
    c("XSETID", "s", "5-5", "ENTRIESADDED", "0")
    c("XSETID", "s", "5-5", "ENTRIESADDED", "-1")
    c("XSETID", "s", "5-5", "MAXDELETEDID", "6-0")
    c("XSETID", "s", "5-5", "MAXDELETEDID", "4-0", "ENTRIESADDED", "10")
    c("XSETID", "s", "5-5", "FOO")
    c("XSETID", "missing", "5-5")
    c("XSETID", "s", "1-1")
    c("XSETID", "s", "-")
    c("XINFO", "STREAM", "s")
    c("XINFO", "STREAM", "s", "FULL")
    c("XINFO", "STREAM", "s", "FULL", "COUNT")
    c("XINFO", "STREAM", "s", "FOO")
    c("XINFO", "STREAM", "missing")
    c("XINFO", "STREAM", "str")
    c("XINFO", "GROUPS", "s")
    c("XINFO", "HELP")
    c("XINFO", "FOO", "s")
    c("XINFO", "CONSUMERS", "s", "nogroup")
    c("TYPE", "s")
    c("OBJECT", "ENCODING", "s")
    # Groups.
    c("XGROUP", "HELP")
    c("XGROUP", "CREATE", "missing", "g", "$")
    c("XGROUP", "CREATE", "str", "g", "$")
    c("XGROUP", "CREATE", "s", "g", "$", "FOO")
    c("XGROUP", "CREATE", "s", "g", "bad")
    c("XGROUP", "CREATE", "s", "g", "-")
    c("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "-2")
    c("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "x")
    c("XGROUP", "CREATE", "s", "g", "0")
    c("XGROUP", "CREATE", "s", "g", "0")
    c("XGROUP", "CREATE", "s2", "g2", "$", "MKSTREAM")
    c("XGROUP", "CREATE", "s2", "g3", "0", "MKSTREAM", "ENTRIESREAD", "0")
    c("XINFO", "STREAM", "s2")
    c("XINFO", "GROUPS", "s2")
    c("XGROUP", "SETID", "s", "nogroup", "0")
    c("XGROUP", "SETID", "s", "g", "$")
    c("XGROUP", "SETID", "s", "g", "-")
    c("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "1")
    c("XGROUP", "SETID", "s", "g", "0", "MKSTREAM")
    c("XGROUP", "CREATECONSUMER", "s", "g", "alice")
    c("XGROUP", "CREATECONSUMER", "s", "g", "alice")
    c("XGROUP", "CREATECONSUMER", "s", "nogroup", "alice")
    c("XGROUP", "DELCONSUMER", "s", "g", "nobody")
    c("XGROUP", "DESTROY", "s", "nogroup")
    c("XGROUP", "DESTROY", "s2", "g3")
    c("XGROUP", "FOO", "s", "g")
    c("XGROUP", "CREATE", "s", "g")
    c("XGROUP", "DESTROY", "s")
    c("XREADGROUP", "GROUP", "nogroup", "c", "STREAMS", "s", ">")
    c("XREADGROUP", "GROUP", "g", "c", "STREAMS", "missing", ">")
    c("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$")
    c("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s")
    c("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s2", ">")
    c("XREADGROUP", "STREAMS", "s", ">", "x", "y", "z")
    c("XREAD", "GROUP", "g", "c", "STREAMS", "s", ">")
    c("XREAD", "NOACK", "STREAMS", "s", "0")
    c("XREAD", "STREAMS", "s", ">")
    c("XREAD", "STREAMS", "s", "bad")
    c("XREAD", "STREAMS", "s")
    c("XREAD", "COUNT", "x", "STREAMS", "s", "0")
    c("XREAD", "BLOCK", "-1", "STREAMS", "s", "0")
    c("XREAD", "BLOCK", "x", "STREAMS", "s", "0")
    c("XREAD", "FOO", "STREAMS", "s", "0")
    c("XREAD", "COUNT", "1")
    c("XREAD", "STREAMS", "str", "0")
    c("XREAD", "STREAMS", "s", "s2", "missing", "0", "0", "0")
    c("XREAD", "COUNT", "1", "STREAMS", "s", "0")
    c("XREAD", "STREAMS", "s", "$")
    c("XREAD", "STREAMS", "s", "+")
    c("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
    c("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    c("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    c("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    c("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "-")
    c("XPENDING", "s", "g")
    c("XPENDING", "s", "g", "-", "+", "10", mask=mask_pending_idle)
    c("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10", "bob", mask=mask_pending_idle)
    c("XPENDING", "s", "g", "IDLE", "0", "-", "+")
    c("XPENDING", "s", "g", "-", "+")
    c("XPENDING", "s", "g", "-", "+", "x")
    c("XPENDING", "s", "g", "(", "+", "10")
    c("XPENDING", "s", "g", "-", "+", "10", "nobody")
    c("XPENDING", "s", "nogroup")
    c("XPENDING", "missing", "g")
    c("XPENDING", "str", "g")
    c("XPENDING", "s", "g", "IDLE", "x", "-", "+", "10")
    c("XCLAIM", "s", "g", "carol", "0", "3-1", "JUSTID")
    c("XCLAIM", "s", "g", "carol", "0", "1-1", "RETRYCOUNT", "7")
    c("XCLAIM", "s", "g", "carol", "x", "1-1")
    c("XCLAIM", "s", "g", "carol", "0", "1-1", "IDLE", "x")
    c("XCLAIM", "s", "g", "carol", "0", "1-1", "TIME", "x")
    c("XCLAIM", "s", "g", "carol", "0", "1-1", "RETRYCOUNT", "x")
    c("XCLAIM", "s", "g", "carol", "0", "1-1", "LASTID", "x")
    c("XCLAIM", "s", "g", "carol", "0", "1-1", "BOGUS")
    c("XCLAIM", "s", "nogroup", "carol", "0", "1-1")
    c("XCLAIM", "missing", "g", "carol", "0", "1-1")
    c("XCLAIM", "s", "g", "dave", "0", "3-1", "FORCE", "JUSTID")
    c("XCLAIM", "s", "g", "dave", "0", "1-1", "FORCE", "LASTID", "9-9")
    c("XINFO", "GROUPS", "s")
    c("XPENDING", "s", "g", "-", "+", "10", mask=mask_pending_idle)
    c("XAUTOCLAIM", "s", "g", "erin", "0", "0")
    c("XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "1", "JUSTID")
    c("XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "0")
    c("XAUTOCLAIM", "s", "g", "erin", "x", "0")
    c("XAUTOCLAIM", "s", "g", "erin", "0", "bad")
    c("XAUTOCLAIM", "s", "g", "erin", "0", "(18446744073709551615-18446744073709551615")
    c("XAUTOCLAIM", "s", "g", "erin", "0", "0", "FOO")
    c("XAUTOCLAIM", "s", "nogroup", "erin", "0", "0")
    c("XDEL", "s", "1-1")
    c("XAUTOCLAIM", "s", "g", "frank", "0", "0", "JUSTID")
    c("XACK", "s", "g", "3-1", "bad")
    c("XACK", "s", "g", "3-1", "3-1", "7-7")
    c("XACK", "s", "nogroup", "3-1")
    c("XACK", "missing", "g", "3-1")
    c("XACK", "str", "g", "3-1")
    c("XINFO", "CONSUMERS", "s", "g", mask=mask_times)
    c("XINFO", "STREAM", "s", "FULL", mask=mask_times)
    c("XINFO", "STREAM", "s", "FULL", "COUNT", "1", mask=mask_times)
    c("XGROUP", "DELCONSUMER", "s", "g", "frank")
    c("XGROUP", "DESTROY", "s", "g")
    c("XINFO", "GROUPS", "s")
    c("XREAD", "BLOCK", "10", "STREAMS", "s", "$")
    # Blocking inside MULTI answers at once.
    c("MULTI")
    c("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    c("EXEC")
    c("DEL", "s", "s2", "str")


def random_ops(p, rng, rounds):
    c = p.check
    c("DEL", "r")
    seq = [1]

    def next_id():
        seq[0] += rng.choice([1, 1, 1, 2, 50])
        return "%d-%d" % (seq[0] // 3, seq[0] % 3)

    groups = ["g1", "g2"]
    consumers = ["c1", "c2", "c3"]
    for _ in range(50):
        c("XADD", "r", next_id(), "f", str(rng.randint(0, 999)))
    c("XGROUP", "CREATE", "r", "g1", "0")
    c("XGROUP", "CREATE", "r", "g2", "$")
    known = []
    for _ in range(rounds):
        op = rng.randint(0, 15)
        g = rng.choice(groups)
        cons = rng.choice(consumers)
        if op <= 3:
            args = ["XADD", "r"]
            if rng.random() < 0.2:
                args += ["MAXLEN", rng.choice(["~", "=", "~"]), str(rng.randint(0, 300))]
            elif rng.random() < 0.1:
                args += ["MINID", rng.choice(["~", "="]), "%d-0" % rng.randint(0, seq[0] // 3)]
            if rng.random() < 0.1:
                args += ["LIMIT", str(rng.randint(0, 200))] if "~" in args else []
            i = next_id()
            known.append(i)
            nf = rng.choice([1, 1, 2])
            fields = []
            for k in range(nf):
                fields += [rng.choice(["f", "g", "h"]), rng.choice(["v", "12", "x" * rng.randint(0, 90)])]
            c(*(args + [i] + fields))
        elif op == 4 and known:
            c("XDEL", "r", *rng.sample(known, min(len(known), rng.randint(1, 3))))
        elif op == 5:
            if rng.random() < 0.5:
                c("XTRIM", "r", "MAXLEN", rng.choice(["~", "="]), str(rng.randint(0, 400)))
            else:
                c("XTRIM", "r", "MINID", rng.choice(["~", "="]), "%d-%d" % (rng.randint(0, seq[0] // 3), rng.randint(0, 2)))
        elif op <= 8:
            args = ["XREADGROUP", "GROUP", g, cons]
            if rng.random() < 0.7:
                args += ["COUNT", str(rng.randint(1, 20))]
            if rng.random() < 0.1:
                args += ["NOACK"]
            c(*(args + ["STREAMS", "r", rng.choice([">", ">", ">", "0"])]))
        elif op == 9 and known:
            c("XACK", "r", g, *rng.sample(known, min(len(known), rng.randint(1, 5))))
        elif op == 10 and known:
            ids = rng.sample(known, min(len(known), rng.randint(1, 3)))
            extra = rng.choice([["JUSTID"], ["JUSTID", "FORCE"], ["RETRYCOUNT", "3", "JUSTID"], ["IDLE", "0", "JUSTID"]])
            c("XCLAIM", "r", g, cons, "0", *ids, *extra)
        elif op == 11:
            c("XAUTOCLAIM", "r", g, cons, "0", rng.choice(["0", "-", known[len(known) // 2] if known else "0"]),
              "COUNT", str(rng.randint(1, 10)), "JUSTID")
        elif op == 12:
            c("XPENDING", "r", g)
            c("XPENDING", "r", g, "IDLE", "0", "-", "+", str(rng.randint(1, 30)), *([cons] if rng.random() < 0.5 else []),
              mask=mask_pending_idle)
        elif op == 13:
            c("XINFO", "GROUPS", "r")
            c("XINFO", "STREAM", "r")
            c("XLEN", "r")
        elif op == 14:
            c("XRANGE", "r", rng.choice(["-", known[0] if known else "-"]), "+", "COUNT", str(rng.randint(1, 30)))
            c("XREVRANGE", "r", "+", "-", "COUNT", str(rng.randint(1, 5)))
        else:
            if rng.random() < 0.3:
                c("XGROUP", "SETID", "r", g, rng.choice(["0", "$", known[len(known) // 3] if known else "0"]))
            elif rng.random() < 0.5:
                c("XGROUP", "DELCONSUMER", "r", g, cons)
            else:
                c("XGROUP", "CREATECONSUMER", "r", g, cons)
    c("XINFO", "STREAM", "r", "FULL", "COUNT", "0", mask=mask_times)
    c("DEL", "r")


def wait_blocked(conn, n=1):
    import time
    deadline = time.time() + 10
    while time.time() < deadline:
        info = conn.call("INFO", "clients")
        if b"blocked_clients:%d\r\n" % n in info:
            return
        time.sleep(0.02)
    raise AssertionError("client did not block")


def blocking_scenario(port, proto, name):
    """Runs one blocking scenario on one server; returns the replies seen."""
    a, b = Conn(port), Conn(port)
    if proto == 3:
        a.call("HELLO", "3")
    out = []
    b.call("DEL", "b", "b2")
    if name == "xread-dollar":
        b.call("XADD", "b", "1-1", "old", "x")
        a.send(["XREAD", "BLOCK", "0", "STREAMS", "b", "$"])
        wait_blocked(b)
        b.call("XADD", "b", "2-1", "f", "v")
    elif name == "xread-two-streams":
        a.send(["XREAD", "COUNT", "5", "BLOCK", "0", "STREAMS", "b", "b2", "$", "0"])
        wait_blocked(b)
        b.call("XADD", "b2", "3-1", "f", "v")
    elif name == "xread-survives-other-types":
        a.send(["XREAD", "BLOCK", "0", "STREAMS", "b", "$"])
        wait_blocked(b)
        b.call("SET", "b", "string")
        b.call("DEL", "b")
        b.call("XADD", "b", "5-5", "f", "v")
    elif name == "xread-timeout":
        a.send(["XREAD", "BLOCK", "50", "STREAMS", "b", "$"])
    elif name == "xreadgroup-new":
        b.call("XGROUP", "CREATE", "b", "g", "$", "MKSTREAM")
        a.send(["XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "BLOCK", "0", "STREAMS", "b", ">"])
        wait_blocked(b)
        b.call("MULTI")
        for i in range(3):
            b.call("XADD", "b", "7-%d" % i, "n", str(i))
        b.call("EXEC")
        out.append(a.read())
        out.append(b.call("XPENDING", "b", "g"))
        out.append(mask_times(b.call("XINFO", "GROUPS", "b")))
        return out
    elif name == "xreadgroup-noack":
        b.call("XGROUP", "CREATE", "b", "g", "$", "MKSTREAM")
        a.send(["XREADGROUP", "GROUP", "g", "alice", "NOACK", "BLOCK", "0", "STREAMS", "b", ">"])
        wait_blocked(b)
        b.call("XADD", "b", "8-1", "f", "v")
        out.append(a.read())
        out.append(b.call("XPENDING", "b", "g"))
        return out
    elif name == "xreadgroup-key-deleted":
        b.call("XGROUP", "CREATE", "b", "g", "$", "MKSTREAM")
        a.send(["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "b", ">"])
        wait_blocked(b)
        b.call("DEL", "b")
    elif name == "xreadgroup-key-retyped":
        b.call("XGROUP", "CREATE", "b", "g", "$", "MKSTREAM")
        a.send(["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "b", ">"])
        wait_blocked(b)
        b.call("DEL", "b")
        b.call("SET", "b", "x")
    elif name == "xreadgroup-group-destroyed":
        b.call("XGROUP", "CREATE", "b", "g", "$", "MKSTREAM")
        a.send(["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "b", ">"])
        wait_blocked(b)
        b.call("XGROUP", "DESTROY", "b", "g")
    out.append(a.read())
    return out


BLOCKING = ["xread-dollar", "xread-two-streams", "xread-survives-other-types", "xread-timeout", "xreadgroup-new",
            "xreadgroup-noack", "xreadgroup-key-deleted", "xreadgroup-key-retyped", "xreadgroup-group-destroyed"]


def blocking_cases(mport, rport, proto):
    n = 0
    for name in BLOCKING:
        m = blocking_scenario(mport, proto, name)
        r = blocking_scenario(rport, proto, name)
        if m != r:
            raise AssertionError("RESP%d blocking scenario %s differs\n magpie: %r\n redis:  %r" % (proto, name, m, r))
        n += len(m)
    return n


def main():
    mport, rport = int(sys.argv[1]), int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    total = 0
    for proto in (2, 3):
        p = Pair(mport, rport, proto)
        fixed_cases(p)
        for s in range(3):
            random_ops(p, random.Random(seed * 100 + s + proto), 400)
        total += p.checked
        total += blocking_cases(mport, rport, proto)
    print("ok %d replies identical" % total)


if __name__ == "__main__":
    main()
