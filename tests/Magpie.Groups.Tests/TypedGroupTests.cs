namespace Magpie.Groups.Tests;

public class TypedGroupTests
{
    public sealed record Score(string Player, int Points);

    [Fact(Timeout = 10_000)]
    public async Task Typed_view_round_trips_through_json()
    {
        var bytes = new CacheGroup(new GroupOptions { Name = "players" }, (key, _, _) =>
            ValueTask.FromResult(key == "ghost" ? LoadResult.NotFound : LoadResult.Found(Bytes.Of($$"""{"player":"{{key}}","points":42}"""))));
        ICacheGroup<Score> scores = bytes.As<Score>();

        Assert.Equal(new Score("Tom", 42), await scores.GetAsync("Tom"));
        Assert.Equal((false, null), await scores.TryGetAsync("ghost"));
        await Assert.ThrowsAsync<CacheMissException>(() => scores.GetAsync("ghost").AsTask());

        await scores.SetAsync("Jack", new Score("Jack", 7));
        Assert.Equal("{\"player\":\"Jack\",\"points\":7}", Bytes.Text(await bytes.GetAsync("Jack")));
        var many = await scores.GetManyAsync(["Tom", "Jack", "ghost"]);
        Assert.Equal(2, many.Count);
        Assert.Equal(7, many["Jack"].Points);

        await scores.RemoveAsync("Jack");
        Assert.Equal(42, (await scores.GetAsync("Jack")).Points);
        Assert.Equal("players", scores.Name);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_custom_serializer_is_used()
    {
        var bytes = new CacheGroup(new GroupOptions { Name = "ints" }, (key, _, _) => ValueTask.FromResult(LoadResult.Found(BitConverter.GetBytes(key.Length))));
        var ints = bytes.As(new Int32Serializer());
        Assert.Equal(5, await ints.GetAsync("abcde"));
    }

    private sealed class Int32Serializer : ICacheSerializer<int>
    {
        public byte[] Serialize(int value) => BitConverter.GetBytes(value);
        public int Deserialize(ReadOnlySpan<byte> bytes) => BitConverter.ToInt32(bytes);
    }
}
