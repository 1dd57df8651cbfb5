using System.Text;
using Magpie.Storage;
using Magpie.Storage.Values;

namespace Magpie.Storage.Tests;

public class RedisListTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string[] Items(RedisList list)
    {
        var items = new string[list.Length];
        for (int i = 0; i < list.Length; i++) items[i] = Encoding.UTF8.GetString(list[i]);
        return items;
    }

    [Fact]
    public void Deque_operations_wrap_around_the_ring()
    {
        var list = new RedisList();
        // Interleave pushes and pops at both ends so head wraps past index 0 repeatedly.
        for (int i = 0; i < 10; i++)
        {
            list.PushHead(B($"h{i}"));
            list.PushTail(B($"t{i}"));
            if (i % 3 == 0) list.PopTail();
        }
        Assert.Equal(16, list.Count);
        Assert.Equal("h9", Encoding.UTF8.GetString(list[0]));
        Assert.Equal("h9", Encoding.UTF8.GetString(list.PopHead()));
        Assert.Equal("t8", Encoding.UTF8.GetString(list.PopTail()));
        Assert.Equal(14, list.Count);
    }

    [Fact]
    public void Insert_remove_and_trim_keep_order()
    {
        var list = new RedisList();
        foreach (var s in new[] { "a", "b", "c", "b", "d", "b" }) list.PushTail(B(s));
        list.PushHead(B("z"));
        list.PopHead();
        list.Insert(1, B("x"));
        Assert.Equal(new[] { "a", "x", "b", "c", "b", "d", "b" }, Items(list));
        list.Insert(5, B("y"));
        Assert.Equal(new[] { "a", "x", "b", "c", "b", "y", "d", "b" }, Items(list));
        Assert.Equal(2, list.RemoveMatching("b"u8, 2, fromTail: true));
        Assert.Equal(new[] { "a", "x", "b", "c", "y", "d" }, Items(list));
        Assert.Equal(1, list.RemoveMatching("b"u8, 0, fromTail: false));
        Assert.Equal(new[] { "a", "x", "c", "y", "d" }, Items(list));
        list.Trim(1, 3);
        Assert.Equal(new[] { "x", "c", "y" }, Items(list));
        list.Trim(5, 2);
        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void Encoding_is_quicklist_at_every_size_as_in_redis_7_0()
    {
        var list = new RedisList();
        list.PushTail(B("v"));
        Assert.Equal("quicklist", list.Encoding);
        for (int i = 0; i < RedisList.ListpackMaxEntries; i++) list.PushTail(B("v"));
        Assert.Equal("quicklist", list.Encoding);
        list[0] = new byte[RedisList.ListpackMaxValue + 1];
        Assert.Equal("quicklist", list.Encoding);
    }

    [Fact]
    public void Estimated_bytes_track_contents_incrementally()
    {
        var list = new RedisList();
        long empty = list.EstimatedBytes;
        list.PushTail(new byte[100]);
        long one = list.EstimatedBytes;
        Assert.True(one >= empty + 100);
        list.PopHead();
        Assert.Equal(empty, list.EstimatedBytes);
        var clone = (RedisList)new RedisList().Clone();
        Assert.Equal(0, clone.Count);
        Assert.Equal(RedisType.List, clone.Type);
    }
}
