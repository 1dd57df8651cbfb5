namespace Magpie.IntegrationTests.Differential;

/// <summary>SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD(_RO) against redis-server 7.0, byte for byte.</summary>
public sealed class BitmapDifferentialTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    [Fact]
    public void Errors_and_edge_cases_match()
    {
        pair.Same("FLUSHALL");
        pair.Same("SET", "str", "foobar");
        pair.Same("LPUSH", "list", "a");
        foreach (var cmd in new[]
        {
            new[] { "SETBIT", "k", "-1", "1" }, ["SETBIT", "k", "abc", "1"], ["SETBIT", "k", "4294967296", "1"],
            ["SETBIT", "k", "0", "2"], ["SETBIT", "k", "0", "x"], ["SETBIT", "list", "0", "1"], ["SETBIT", "list", "-1", "1"],
            ["GETBIT", "k", "-1"], ["GETBIT", "list", "0"], ["GETBIT", "missing", "100"], ["GETBIT", "str", "1"], ["GETBIT", "str", "1000"],
            ["BITCOUNT", "str"], ["BITCOUNT", "str", "1"], ["BITCOUNT", "str", "0", "-1", "x"], ["BITCOUNT", "str", "a", "1"],
            ["BITCOUNT", "missing", "a", "b"], ["BITCOUNT", "list"], ["BITCOUNT", "str", "-1", "-3"], ["BITCOUNT", "str", "1", "1", "BIT"],
            ["BITCOUNT", "str", "5", "30", "BIT"], ["BITCOUNT", "str", "-7", "-2", "bit"], ["BITCOUNT", "str", "0", "0", "BYTE"], ["BITCOUNT", "str", "0", "1", "2", "3"],
            ["BITPOS", "str", "2"], ["BITPOS", "str", "x"], ["BITPOS", "missing", "0"], ["BITPOS", "missing", "1"], ["BITPOS", "list", "1"],
            ["BITPOS", "str", "1", "a"], ["BITPOS", "str", "1", "0", "1", "bits"], ["BITPOS", "str", "0", "2", "-1", "BIT"],
            ["BITPOS", "str", "1", "7", "15", "BIT"], ["BITPOS", "str", "0", "1", "2", "3", "4"],
            ["BITOP", "foo", "d", "a"], ["BITOP", "NOT", "d", "a", "b"], ["BITOP", "AND", "d", "list"], ["BITOP", "and", "d", "missing"],
            ["BITFIELD", "bf", "GET", "i65", "0"], ["BITFIELD", "bf", "GET", "u64", "0"], ["BITFIELD", "bf", "GET", "u0", "0"], ["BITFIELD", "bf", "GET", "x8", "0"],
            ["BITFIELD", "bf", "GET", "u8", "-1"], ["BITFIELD", "bf", "GET", "u8", "#x"], ["BITFIELD", "bf", "SET", "u8", "0", "x"],
            ["BITFIELD", "bf", "OVERFLOW", "LOUD", "GET", "u8", "0"], ["BITFIELD", "bf", "GET", "u8"], ["BITFIELD", "bf", "FOO"],
            ["BITFIELD", "list", "GET", "u8", "0"], ["BITFIELD", "list", "SET", "u8", "0", "1"], ["BITFIELD", "bf"],
            ["BITFIELD_RO", "bf", "SET", "u8", "0", "1"], ["BITFIELD_RO", "bf", "GET", "u8", "0"], ["BITFIELD_RO", "str", "GET", "i8", "#1", "GET", "u4", "3"],
            ["BITFIELD", "bf", "GET", "u8", "4294967296"], ["BITFIELD", "bf", "SET", "i8", "#536870912", "1"],
        })
        {
            pair.Same(cmd);
        }
        pair.Same("BITFIELD", "bf", "SET", "i8", "0", "100", "INCRBY", "i8", "0", "100", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "100");
        pair.Same("BITFIELD", "bf2", "OVERFLOW", "FAIL", "SET", "u2", "0", "7");
        pair.Same("GET", "bf2");
        pair.Same("BITFIELD", "bf", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "9223372036854775807");
        pair.Same("BITFIELD", "bf", "SET", "u63", "1", "-1", "OVERFLOW", "SAT", "SET", "u63", "1", "-1", "INCRBY", "u63", "1", "-5", "OVERFLOW", "WRAP", "INCRBY", "u63", "1", "-5");
        pair.Same("SET", "empty", "");
        foreach (var cmd in new[] { new[] { "BITCOUNT", "empty" }, ["BITPOS", "empty", "0"], ["BITPOS", "empty", "1"], ["BITPOS", "empty", "0", "0"], ["BITCOUNT", "empty", "0", "-1", "BIT"] })
            pair.Both(cmd);
        pair.Same("SETBIT", "ones", "7", "1");
        pair.Same("SET", "ff", "\u007f");
        pair.Same("SETBIT", "ff", "0", "1");
        foreach (var cmd in new[] { new[] { "BITPOS", "ff", "0" }, ["BITPOS", "ff", "0", "0"], ["BITPOS", "ff", "0", "0", "-1"], ["BITPOS", "ff", "0", "0", "7", "BIT"], ["BITPOS", "ff", "0", "3", "BIT"] })
            pair.Both(cmd);
    }

    [Fact]
    public void Random_operations_match()
    {
        pair.Same("FLUSHALL");
        var rng = new Random(1234);
        string[] keys = ["b1", "b2", "b3"];
        string K() => keys[rng.Next(keys.Length)];
        string I(int max) => (rng.Next(2 * max + 1) - max).ToString();
        string T() => (rng.Next(2) == 0 ? "i" : "u") + (rng.Next(2) == 0 ? rng.Next(1, 65) : rng.Next(1, 17)).ToString();
        for (int step = 0; step < 1500; step++)
        {
            switch (rng.Next(9))
            {
                case 0 or 1:
                    pair.Same("SETBIT", K(), rng.Next(300).ToString(), rng.Next(2).ToString());
                    break;
                case 2:
                    pair.Both("GETBIT", K(), rng.Next(320).ToString());
                    break;
                case 3:
                    pair.Both(rng.Next(3) switch
                    {
                        0 => ["BITCOUNT", K()],
                        1 => ["BITCOUNT", K(), I(40), I(40)],
                        _ => ["BITCOUNT", K(), I(300), I(300), rng.Next(2) == 0 ? "BIT" : "BYTE"],
                    });
                    break;
                case 4:
                    pair.Both(rng.Next(4) switch
                    {
                        0 => ["BITPOS", K(), rng.Next(2).ToString()],
                        1 => ["BITPOS", K(), rng.Next(2).ToString(), I(40)],
                        2 => ["BITPOS", K(), rng.Next(2).ToString(), I(40), I(40)],
                        _ => ["BITPOS", K(), rng.Next(2).ToString(), I(300), I(300), rng.Next(2) == 0 ? "BIT" : "BYTE"],
                    });
                    break;
                case 5:
                    string[] ops = ["AND", "OR", "XOR", "NOT"];
                    var op = ops[rng.Next(4)];
                    if (op == "NOT") pair.Same("BITOP", op, K(), K());
                    else pair.Same(["BITOP", op, K(), .. Enumerable.Range(0, rng.Next(1, 4)).Select(_ => K())]);
                    break;
                case 6 or 7:
                    var args = new List<string> { "BITFIELD", K() };
                    int n = rng.Next(1, 5);
                    for (int i = 0; i < n; i++)
                    {
                        string offset = rng.Next(4) == 0 ? "#" + rng.Next(20) : rng.Next(200).ToString();
                        switch (rng.Next(4))
                        {
                            case 0: args.AddRange(["GET", T(), offset]); break;
                            case 1: args.AddRange(["SET", T(), offset, rng.NextInt64(long.MinValue, long.MaxValue).ToString()]); break;
                            case 2: args.AddRange(["INCRBY", T(), offset, (rng.Next(2) == 0 ? rng.Next(-300, 300) : rng.NextInt64(long.MinValue, long.MaxValue)).ToString()]); break;
                            default: args.AddRange(["OVERFLOW", new[] { "WRAP", "SAT", "FAIL" }[rng.Next(3)]]); break;
                        }
                    }
                    pair.Same(args.ToArray());
                    break;
                default:
                    pair.Both("GET", K());
                    pair.Both("BITFIELD_RO", K(), "GET", T(), rng.Next(200).ToString(), "GET", T(), "#" + rng.Next(10));
                    break;
            }
        }
        foreach (var k in keys) pair.Both("GET", k);
    }
}
