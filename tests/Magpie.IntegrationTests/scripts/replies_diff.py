"""Sends the same command sequences to Magpie and redis-server 7.0 on RESP2 and RESP3 and compares
every reply exactly (types included). Usage: replies_diff.py MAGPIE_PORT REDIS_PORT SUITE...
Prints each difference; ALL OK when there is none."""
import sys
from resp_raw import Conn

SUITES = {
    # Doubles: %.17g in bulk (RESP2) and ',' (RESP3) replies; long double INCRBYFLOAT/HINCRBYFLOAT.
    "doubles": """
ZADD z 0.1 a
ZINCRBY z 0.2 a
ZSCORE z a
ZADD z 1.1 b 0.72195714792327825 c inf d -inf e -0 f 1e20 g 1.5e-7 h 123456789012345678 i 3 j 2.5 k
ZRANGE z 0 -1 WITHSCORES
ZMSCORE z a b c d e f missing
ZSCAN z 0 COUNT 100
ZINCRBY z 1 d
ZINCRBY z 0.000001 h
ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 3
ZPOPMIN z 2
ZPOPMAX z
ZUNION 1 z WITHSCORES
ZADD z INCR 0.1 zz
ZADD big 0 m0 1 m1 2 m2 3 m3 4 m4 5 m5 6 m6 7 m7 8 m8 9 m9 10 m10 11 m11 12 m12 13 m13 14 m14 15 m15 16 m16 17 m17 18 m18 19 m19 20 m20 21 m21 22 m22 23 m23 24 m24 25 m25 26 m26 27 m27 28 m28 29 m29 30 m30 31 m31 32 m32 33 m33 34 m34 35 m35 36 m36 37 m37 38 m38 39 m39 40 m40 41 m41 42 m42 43 m43 44 m44 45 m45 46 m46 47 m47 48 m48 49 m49 50 m50 51 m51 52 m52 53 m53 54 m54 55 m55 56 m56 57 m57 58 m58 59 m59 60 m60 61 m61 62 m62 63 m63 64 m64 65 m65 66 m66 67 m67 68 m68 69 m69 70 m70 71 m71 72 m72 73 m73 74 m74 75 m75 76 m76 77 m77 78 m78 79 m79 80 m80 81 m81 82 m82 83 m83 84 m84 85 m85 86 m86 87 m87 88 m88 89 m89 90 m90 91 m91 92 m92 93 m93 94 m94 95 m95 96 m96 97 m97 98 m98 99 m99 100 m100 101 m101 102 m102 103 m103 104 m104 105 m105 106 m106 107 m107 108 m108 109 m109 110 m110 111 m111 112 m112 113 m113 114 m114 115 m115 116 m116 117 m117 118 m118 119 m119 120 m120 121 m121 122 m122 123 m123 124 m124 125 m125 126 m126 127 m127 128 m128 129 m129 123456789012345678 i 1e20 g 1.1 b
ZSCAN big 0 MATCH i COUNT 1000
ZSCAN big 0 MATCH b COUNT 1000
SET f 10.5
INCRBYFLOAT f 0.1
INCRBYFLOAT f -5.0e3
INCRBYFLOAT f 1e400
GET f
INCRBYFLOAT f 1e5000
SET g 12345678.123456789
INCRBYFLOAT g 0
INCRBYFLOAT g -12345678.123456789
INCRBYFLOAT g 0.30000000000000004
INCRBYFLOAT g 1.7976931348623157e308
INCRBYFLOAT x inf
INCRBYFLOAT x abc
INCRBYFLOAT x 3.0e3
INCRBYFLOAT x -3000
INCRBYFLOAT y 0.0000000000000000001
INCRBYFLOAT y 1
SET s abc
INCRBYFLOAT s 1
HINCRBYFLOAT h f 0.1
HINCRBYFLOAT h f 0.1
HINCRBYFLOAT h f 0.1
HINCRBYFLOAT h f 1e400
HINCRBYFLOAT h f inf
HINCRBYFLOAT h g nope
HSET h s abc
HINCRBYFLOAT h s 1
""",
    # OBJECT ENCODING names and conversions under changed thresholds; CONFIG of the encoding options.
    "encodings": """
CONFIG SET hash-max-listpack-entries 4
CONFIG GET hash-max-ziplist-entries
HSET h a 1 b 2 c 3 d 4
OBJECT ENCODING h
HSET h e 5
OBJECT ENCODING h
CONFIG SET hash-max-ziplist-value 3
CONFIG GET hash-max-listpack-value
HSET h2 f abc
OBJECT ENCODING h2
HSET h3 f abcd
OBJECT ENCODING h3
CONFIG SET zset-max-listpack-entries 2
ZADD z 1 a 2 b
OBJECT ENCODING z
ZADD z 3 c
OBJECT ENCODING z
CONFIG SET zset-max-ziplist-value 2
ZADD z2 1 ab
OBJECT ENCODING z2
ZADD z3 1 abc
OBJECT ENCODING z3
CONFIG SET set-max-intset-entries 3
SADD s 1 2 3
OBJECT ENCODING s
SADD s 4
OBJECT ENCODING s
SADD s2 a
OBJECT ENCODING s2
CONFIG SET list-max-listpack-size 4
CONFIG GET list-max-ziplist-size
CONFIG SET list-compress-depth 1
CONFIG GET list-compress-depth
RPUSH l a
OBJECT ENCODING l
SET k 123
OBJECT ENCODING k
SET k abc
OBJECT ENCODING k
SET k xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
OBJECT ENCODING k
APPEND k2 x
OBJECT ENCODING k2
APPEND k2 y
OBJECT ENCODING k2
SETRANGE k3 0 ab
OBJECT ENCODING k3
SET k4 12
APPEND k4 3
OBJECT ENCODING k4
INCR k4
OBJECT ENCODING k4
SET k5 1.5
INCRBYFLOAT k5 1
OBJECT ENCODING k5
OBJECT ENCODING missing
CONFIG SET save ""
CONFIG GET save
CONFIG SET hash-max-listpack-entries 512
CONFIG SET hash-max-listpack-value 64
CONFIG SET zset-max-listpack-entries 128
CONFIG SET zset-max-listpack-value 64
CONFIG SET set-max-intset-entries 512
CONFIG SET list-max-listpack-size -2
CONFIG SET list-compress-depth 0
""",
}

def main():
    m_port, r_port = int(sys.argv[1]), int(sys.argv[2])
    problems = []
    for suite in sys.argv[3:]:
        for proto in (2, 3):
            m, r = Conn(m_port, proto), Conn(r_port, proto)
            m.call("FLUSHALL"); r.call("FLUSHALL")
            for line in SUITES[suite].strip().splitlines():
                args = ["" if a == '""' else a for a in line.split()]
                mr, rr = m.call(*args), r.call(*args)
                if mr != rr: problems.append(f"RESP{proto} {line}: magpie={mr!r} redis={rr!r}")
    for p in problems: print(p)
    if not problems: print("ALL OK")

main()
