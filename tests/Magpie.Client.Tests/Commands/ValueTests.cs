namespace Magpie.Client.Tests.Commands;

public sealed class ValueTests
{
    [Fact]
    public void Values_convert_from_and_to_common_types()
    {
        Assert.Equal("abc", ((MagpieValue)"abc").ToString());
        Assert.Equal(new byte[] { 1, 2 }, ((MagpieValue)new byte[] { 1, 2 }).ToArray());
        Assert.Equal("42", ((MagpieValue)42L).ToString());
        Assert.Equal("1.5", ((MagpieValue)1.5).ToString());
        Assert.Equal(42L, (long)(MagpieValue)"42");
        Assert.Equal(2.5, (double)(MagpieValue)"2.5");
        Assert.True(((MagpieValue)(string?)null).IsNull);
        Assert.Null((string?)MagpieValue.Null);
        Assert.Equal((MagpieValue)"7", (MagpieValue)7L);
        Assert.Equal(((MagpieValue)"x").GetHashCode(), ((MagpieValue)"x"u8.ToArray()).GetHashCode());
        Assert.Throws<InvalidCastException>(() => (long)(MagpieValue)"nope");
        Assert.Equal(4, ((MagpieValue)"héj").GetByteCount()); // UTF-8
    }

    [Fact]
    public void Keys_compute_cluster_slots_and_prefixes()
    {
        MagpieKey key = "{user1000}.following";
        Assert.Equal(((MagpieKey)"{user1000}.followers").HashSlot, key.HashSlot);
        Assert.Equal(12182, ((MagpieKey)"foo").HashSlot);
        Assert.Equal("app:foo", ((MagpieKey)"foo").Prepend("app:").ToString());
    }

    [Fact]
    public void Redirect_errors_become_typed_exceptions()
    {
        var moved = Assert.IsType<MagpieRedirectException>(MagpieServerException.From("GET", "MOVED 3999 127.0.0.1:6381"));
        Assert.False(moved.IsAsk);
        Assert.Equal(3999, moved.Slot);
        Assert.Equal("127.0.0.1:6381", moved.EndPoint);
        var ask = Assert.IsType<MagpieRedirectException>(MagpieServerException.From("GET", "ASK 12 10.0.0.2:7000"));
        Assert.True(ask.IsAsk);
        Assert.IsNotType<MagpieRedirectException>(MagpieServerException.From("GET", "ERR something"));
    }
}
