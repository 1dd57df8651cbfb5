using System.Text;

namespace Magpie.IntegrationTests.Differential;

/// <summary>PFADD, PFCOUNT, PFMERGE against redis-server 7.0: replies and the HLL strings themselves byte for byte.</summary>
public sealed class HyperLogLogDifferentialTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    [Fact]
    public void Errors_and_small_cases_match()
    {
        pair.Same("FLUSHALL");
        pair.Same("LPUSH", "list", "a");
        pair.Same("SET", "str", "not an hll at all");
        pair.Same("SET", "short", "HYLL");
        foreach (var cmd in new[]
        {
            new[] { "PFADD", "list", "a" }, ["PFADD", "str", "a"], ["PFADD", "short", "a"], ["PFCOUNT", "list"], ["PFCOUNT", "str"],
            ["PFCOUNT", "missing"], ["PFCOUNT", "missing", "other"], ["PFCOUNT", "missing", "str"], ["PFMERGE", "dst", "str"], ["PFMERGE", "dst", "list"],
            ["PFADD", "h"], ["GET", "h"], ["PFCOUNT", "h"], ["GET", "h"], ["PFADD", "h"], ["PFADD", "h", "a", "b", "c"], ["GET", "h"], ["PFADD", "h", "a"],
            ["PFCOUNT", "h"], ["GET", "h"], ["PFMERGE", "m"], ["GET", "m"], ["PFMERGE", "m", "h", "missing"], ["GET", "m"], ["PFCOUNT", "h", "m", "missing"],
        })
        {
            pair.Same(cmd);
        }
        // A valid header over sparse opcodes that cover too few registers: corrupted.
        var bad = Encoding.Latin1.GetString([(byte)'H', (byte)'Y', (byte)'L', (byte)'L', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x7f, 0x00]);
        pair.SameBytes(3, "SET"u8.ToArray(), "bad"u8.ToArray(), Encoding.Latin1.GetBytes(bad));
        pair.Same("PFCOUNT", "bad");
        pair.Same("PFCOUNT", "bad", "h");
        pair.Same("PFADD", "bad", "x");
        pair.Same("PFMERGE", "bad2", "bad");
        // A dense header with the wrong size.
        pair.SameBytes(3, "SET"u8.ToArray(), "dense"u8.ToArray(), [(byte)'H', (byte)'Y', (byte)'L', (byte)'L', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
        pair.Same("PFADD", "dense", "x");
    }

    [Fact]
    public void Random_adds_and_merges_give_identical_strings()
    {
        pair.Same("FLUSHALL");
        var rng = new Random(99);
        string[] keys = ["h1", "h2", "h3", "h4"];
        var sizes = new Dictionary<string, int>();
        for (int round = 0; round < 120; round++)
        {
            var key = keys[rng.Next(keys.Length)];
            int choice = rng.Next(10);
            if (choice < 6)
            {
                // Bursts of different sizes walk a key through sparse growth and into dense.
                int n = rng.Next(4) == 0 ? rng.Next(200, 1500) : rng.Next(1, 30);
                var args = new List<string> { "PFADD", key };
                for (int i = 0; i < n; i++) args.Add("e" + rng.Next(50_000));
                pair.Same(args.ToArray());
            }
            else if (choice < 8)
            {
                pair.Both("PFCOUNT", key);
                pair.Both(["PFCOUNT", .. keys.Take(rng.Next(1, keys.Length + 1))]);
            }
            else
            {
                pair.Same(["PFMERGE", key, .. Enumerable.Range(0, rng.Next(0, 3)).Select(_ => keys[rng.Next(keys.Length)])]);
            }
            pair.Same("GET", key);
            pair.Same("STRLEN", key);
        }
        foreach (var k in keys)
        {
            pair.Same("GET", k);
            pair.Both("PFCOUNT", k);
            pair.Same("GET", k);
        }
    }

    [Fact]
    public void Large_cardinalities_match()
    {
        pair.Same("FLUSHALL");
        for (int batch = 0; batch < 20; batch++)
        {
            var args = new List<string> { "PFADD", "big" };
            for (int i = 0; i < 2000; i++) args.Add($"member:{batch}:{i}");
            pair.Same(args.ToArray());
            if (batch % 5 == 4) pair.Both("PFCOUNT", "big");
        }
        pair.Same("GET", "big");
        pair.Same("PFADD", "small", "x", "y", "z");
        pair.Same("PFMERGE", "small", "big");
        pair.Same("GET", "small");
        pair.Same("PFCOUNT", "small", "big");
    }
}
