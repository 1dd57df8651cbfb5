using System.Text;
using Magpie.Storage.Values;

namespace Magpie.Server.Tests;

/// <summary>The sorted set value on its own: both encodings checked against a simple sorted model.</summary>
public class RedisSortedSetTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static List<(string Member, double Score)> Model(Dictionary<string, double> d) =>
        d.Select(kv => (kv.Key, kv.Value))
         .OrderBy(e => e.Value)
         .ThenBy(e => B(e.Key), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
         .ToList();

    private static void AssertMatches(RedisSortedSet set, Dictionary<string, double> model)
    {
        var expected = Model(model);
        Assert.Equal(expected.Count, set.Count);
        var it = set.Range(0, set.Count, reverse: false);
        int i = 0;
        while (it.MoveNext())
        {
            Assert.Equal(expected[i].Member, Encoding.UTF8.GetString(it.Current.Member));
            Assert.Equal(expected[i].Score, it.Current.Score);
            i++;
        }
        Assert.Equal(expected.Count, i);
        for (int r = 0; r < expected.Count; r += Math.Max(1, expected.Count / 17))
        {
            Assert.Equal(r, set.RankOf(B(expected[r].Member)));
            Assert.Equal(expected[r].Member, Encoding.UTF8.GetString(set.ElementAt(r).Member));
        }
        if (expected.Count > 0)
        {
            var back = set.Range(expected.Count - 1, expected.Count, reverse: true);
            int j = expected.Count - 1;
            while (back.MoveNext()) Assert.Equal(expected[j--].Member, Encoding.UTF8.GetString(back.Current.Member));
            Assert.Equal(-1, j);
        }
    }

    [Theory]
    [InlineData(50, 400)]
    [InlineData(2000, 6000)]
    public void Random_operations_match_a_sorted_model(int universe, int steps)
    {
        var rng = new Random(universe);
        var set = new RedisSortedSet();
        var model = new Dictionary<string, double>();
        for (int step = 0; step < steps; step++)
        {
            string member = "m" + rng.Next(universe);
            int op = rng.Next(10);
            if (op < 6)
            {
                double score = rng.Next(20) == 0 ? double.PositiveInfinity : rng.Next(100) / 4.0;
                bool added = set.Set(B(member), score);
                Assert.Equal(!model.ContainsKey(member), added);
                model[member] = score;
            }
            else if (op < 9)
            {
                Assert.Equal(model.Remove(member), set.Remove(B(member)));
            }
            else
            {
                Assert.Equal(model.TryGetValue(member, out double s), set.TryGetScore(B(member), out double got));
                if (model.ContainsKey(member)) Assert.Equal(s, got);
            }
            if (step % 97 == 0) AssertMatches(set, model);
        }
        AssertMatches(set, model);
        Assert.Equal(universe > 128 ? "skiplist" : "listpack", set.Encoding);
    }

    [Fact]
    public void Counts_below_scores_and_members_in_both_encodings()
    {
        foreach (int size in new[] { 10, 500 })
        {
            var set = new RedisSortedSet();
            for (int i = 0; i < size; i++) set.Set(B($"k{i:D4}"), i / 2);
            Assert.Equal(size > 128 ? "skiplist" : "listpack", set.Encoding);
            Assert.Equal(4, set.CountBelow(2, inclusive: false));
            Assert.Equal(6, set.CountBelow(2, inclusive: true));
            Assert.Equal(0, set.CountBelow(double.NegativeInfinity, inclusive: true));
            Assert.Equal(size, set.CountBelow(double.PositiveInfinity, inclusive: false));
            Assert.Equal(3, set.CountLexBelow(B("k0003"), inclusive: false));
            Assert.Equal(4, set.CountLexBelow(B("k0003"), inclusive: true));
            Assert.Equal(4, set.CountLexBelow(B("k0003a"), inclusive: false));
        }
    }

    [Fact]
    public void Converts_on_size_or_long_member_and_accounts_memory()
    {
        var set = new RedisSortedSet();
        set.Set(B("a"), 1);
        Assert.Equal("listpack", set.Encoding);
        long small = set.EstimatedBytes;
        set.Set(B(new string('x', 65)), 2);
        Assert.Equal("skiplist", set.Encoding);
        Assert.True(set.EstimatedBytes > small);
        for (int i = 0; i < 1000; i++) set.Set(B("m" + i), i);
        long big = set.EstimatedBytes;
        for (int i = 0; i < 1000; i++) set.Remove(B("m" + i));
        Assert.True(set.EstimatedBytes < big / 10, $"{set.EstimatedBytes} vs {big}");
        Assert.Equal(2, set.Count);

        var lp = new RedisSortedSet();
        for (int i = 0; i < 128; i++) lp.Set(B("m" + i), i);
        Assert.Equal("listpack", lp.Encoding);
        lp.Set(B("m128"), 0);
        Assert.Equal("skiplist", lp.Encoding);
    }

    [Fact]
    public void Memory_estimate_returns_to_its_start_after_score_updates_and_removals()
    {
        var set = new RedisSortedSet();
        for (int i = 0; i < 200; i++) set.Set(B("seed" + i), i);
        long start = set.EstimatedBytes;
        var rng = new Random(7);
        for (int i = 0; i < 2000; i++) set.Set(B("m" + rng.Next(300)), rng.Next(1000));
        for (int i = 0; i < 300; i++) set.Remove(B("m" + i));
        Assert.Equal(start, set.EstimatedBytes);
    }

    [Fact]
    public void Remove_range_and_clone_are_independent()
    {
        foreach (int size in new[] { 20, 300 })
        {
            var set = new RedisSortedSet();
            for (int i = 0; i < size; i++) set.Set(B("m" + i), i);
            var copy = (RedisSortedSet)set.Clone();
            Assert.Equal(5, set.RemoveRange(2, 5));
            Assert.Equal(size - 5, set.Count);
            Assert.Equal("m7", Encoding.UTF8.GetString(set.ElementAt(2).Member));
            Assert.Equal(size, copy.Count);
            Assert.Equal(2, copy.RankOf(B("m2")));
            Assert.Equal(copy.Encoding, set.Encoding);
        }
    }

    [Fact]
    public void Equal_scores_order_by_member_bytes()
    {
        var set = new RedisSortedSet();
        foreach (var m in new[] { "b", "a", "ab", "B", "" }) set.Set(B(m), 0);
        var names = new List<string>();
        var it = set.Range(0, set.Count, false);
        while (it.MoveNext()) names.Add(Encoding.UTF8.GetString(it.Current.Member));
        Assert.Equal(new[] { "", "B", "a", "ab", "b" }, names);
    }
}
