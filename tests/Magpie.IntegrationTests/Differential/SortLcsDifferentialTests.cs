namespace Magpie.IntegrationTests.Differential;

/// <summary>SORT, SORT_RO and LCS against redis-server 7.0, RESP2 and RESP3.</summary>
public sealed class SortLcsDifferentialTests(DifferentialPair pair) : IClassFixture<DifferentialPair>
{
    [Fact]
    public void Sort_fixed_cases_and_errors_match()
    {
        pair.Same("FLUSHALL");
        pair.Same("RPUSH", "l", "3", "1", "2", "10", "-1.5", "2");
        pair.Same("RPUSH", "words", "pear", "apple", "fig", "banana", "apple");
        pair.Same("SADD", "s", "5", "3", "9", "1");
        pair.Same("ZADD", "z", "1", "c", "2", "b", "3", "a", "4", "d");
        pair.Same("MSET", "w_3", "30", "w_1", "10", "w_2", "5", "w_10", "x", "o_pear", "2", "o_apple", "1", "o_fig", "3", "o_banana", "4");
        pair.Same("HSET", "h_3", "name", "three", "n", "3");
        pair.Same("HSET", "h_1", "name", "one", "n", "1");
        pair.Same("SET", "str", "x");
        foreach (var cmd in new[]
        {
            new[] { "SORT", "l" }, ["SORT", "l", "DESC"], ["SORT", "l", "LIMIT", "1", "3"], ["SORT", "l", "LIMIT", "-5", "2"], ["SORT", "l", "LIMIT", "10", "2"],
            ["SORT", "l", "LIMIT", "0", "-1", "DESC"], ["SORT", "l", "LIMIT", "x", "1"], ["SORT", "l", "LIMIT", "1"], ["SORT", "l", "BOGUS"],
            ["SORT", "words"], ["SORT", "words", "ALPHA"], ["SORT", "words", "ALPHA", "DESC", "LIMIT", "1", "2"], ["SORT", "s"], ["SORT", "s", "DESC"], ["SORT", "z"],
            ["SORT", "z", "ALPHA"], ["SORT", "z", "BY", "nosort"], ["SORT", "z", "BY", "nosort", "DESC"], ["SORT", "z", "BY", "nosort", "LIMIT", "1", "2"],
            ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"], ["SORT", "l", "BY", "nosort"], ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "3"],
            ["SORT", "l", "BY", "w_*"], ["SORT", "words", "BY", "o_*"], ["SORT", "words", "BY", "o_*", "ALPHA"], ["SORT", "words", "BY", "missing_*", "ALPHA"],
            ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "GET", "h_*->name", "GET", "nostar"], ["SORT", "l", "GET", "h_*->n", "GET", "h_*->"],
            ["SORT", "words", "BY", "o_*", "LIMIT", "1", "2", "GET", "#"], ["SORT", "missing"], ["SORT", "missing", "GET", "#"], ["SORT", "str"],
            ["SORT", "words"], ["SORT", "l", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"], ["SORT", "words", "ALPHA", "GET", "o_*", "GET", "x_*", "STORE", "dst"],
            ["LRANGE", "dst", "0", "-1"], ["SORT", "s", "BY", "nosort", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"], ["SORT", "missing", "STORE", "dst"], ["EXISTS", "dst"],
            ["SORT_RO", "l", "STORE", "dst"], ["SORT_RO", "l", "DESC", "LIMIT", "0", "2"], ["SORT", "l", "LIMIT", "2", "9223372036854775807"], ["SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"], ["SORT_RO", "words", "ALPHA"],
        })
        {
            pair.Same2(cmd);
            pair.Same(cmd);
        }
        pair.Same("RPUSH", "w2", "", "1", " 2");
        pair.Both("SORT", "w2");
        pair.Same("RPUSH", "w3", "2 ");
        pair.Both("SORT", "w3");
        pair.Same("RPUSH", "w4", "nan", "1");
        pair.Both("SORT", "w4");
        // Out of range (ERANGE) last: Redis never clears errno, so an ERANGE sticks to the next SORTs on that thread.
        pair.Same("RPUSH", "weird", "1", "1e-400");
        pair.Same("SORT", "weird", "LIMIT", "0", "2");
    }

    [Fact]
    public void Random_sorts_match()
    {
        pair.Same("FLUSHALL");
        var rng = new Random(5);
        var values = Enumerable.Range(0, 40).Select(i => (rng.Next(1000) - 300).ToString()).Distinct().ToList();
        pair.Same(["RPUSH", "list", .. values]);
        pair.Same(["ZADD", "zs", .. values.SelectMany((v, i) => new[] { rng.Next(50).ToString(), v })]);
        pair.Same(["SADD", "set", .. values]);
        // Distinct weights, so BY ... ALPHA has no ties (Redis leaves their order to qsort).
        var weights = Enumerable.Range(0, values.Count).OrderBy(_ => rng.Next()).ToList();
        for (int i = 0; i < values.Count; i++)
        {
            pair.Same("SET", "weight_" + values[i], weights[i].ToString("D4"));
            if (rng.Next(5) > 0) pair.Same("SET", "sparse_" + values[i], rng.Next(20).ToString());
            pair.Same("HSET", "obj_" + values[i], "name", "n" + rng.Next(100), "rank", rng.Next(10).ToString());
        }
        string[] sources = ["list", "zs", "set"];
        for (int q = 0; q < 200; q++)
        {
            var args = new List<string> { rng.Next(2) == 0 ? "SORT" : "SORT_RO", sources[rng.Next(3)] };
            int by = rng.Next(5);
            if (by == 1) args.AddRange(["BY", "weight_*"]);
            else if (by == 2) args.AddRange(["BY", "obj_*->rank"]);
            else if (by == 3) args.AddRange(["BY", "sparse_*"]);
            // ALPHA by a pattern only where every weight exists and differs: Redis leaves ties to qsort.
            if (rng.Next(3) == 0 && by is 0 or 1) args.Add("ALPHA");
            if (rng.Next(2) == 0) args.Add("DESC");
            if (rng.Next(2) == 0) args.AddRange(["LIMIT", (rng.Next(50) - 5).ToString(), (rng.Next(30) - 3).ToString()]);
            int gets = rng.Next(4);
            for (int g = 0; g < gets; g++) args.AddRange(["GET", new[] { "#", "weight_*", "obj_*->name", "obj_*->nope" }[rng.Next(4)]]);
            bool store = args[0] == "SORT" && rng.Next(4) == 0;
            if (store) args.AddRange(["STORE", "out"]);
            pair.Same(args.ToArray());
            if (store) pair.Same("LRANGE", "out", "0", "-1");
        }
    }

    [Fact]
    public void Lcs_matches()
    {
        pair.Same("FLUSHALL");
        pair.Same("MSET", "key1", "ohmytext", "key2", "mynewtext", "e", "");
        pair.Same("LPUSH", "list", "x");
        foreach (var cmd in new[]
        {
            new[] { "LCS", "key1", "key2" }, ["LCS", "key1", "key2", "LEN"], ["LCS", "key1", "key2", "IDX"], ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"],
            ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"], ["LCS", "key1", "key2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "-3"],
            ["LCS", "key1", "key2", "IDX", "LEN"], ["LCS", "key1", "key2", "MINMATCHLEN"], ["LCS", "key1", "key2", "MINMATCHLEN", "x"], ["LCS", "key1", "key2", "FOO"],
            ["LCS", "key1", "list"], ["LCS", "missing", "key2"], ["LCS", "missing", "other", "IDX"], ["LCS", "e", "key1", "LEN"], ["LCS", "key1", "key1", "IDX", "WITHMATCHLEN"],
        })
        {
            pair.Same2(cmd);
            pair.Same(cmd);
        }
        var rng = new Random(3);
        for (int i = 0; i < 60; i++)
        {
            string Random() => new(Enumerable.Range(0, rng.Next(0, 40)).Select(_ => "abcde"[rng.Next(rng.Next(1, 6))]).ToArray());
            pair.Same("MSET", "a", Random(), "b", Random());
            pair.Both("LCS", "a", "b");
            pair.Both("LCS", "a", "b", "IDX", "WITHMATCHLEN", "MINMATCHLEN", rng.Next(4).ToString());
        }
    }
}
