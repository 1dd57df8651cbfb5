using Magpie.Protocol;

namespace Magpie.Client.Tests.Connection;

public sealed class ConnectionStringTests
{
    [Fact]
    public void Parses_every_option()
    {
        var o = MagpieConnectionOptions.Parse("cache.local:6380,password=s3cret,user=app,ssl=true,sslHost=cache.example,connectTimeout=1500,syncTimeout=250,defaultDatabase=2,name=web,protocol=resp2,cluster=true");
        Assert.Equal("cache.local", o.Host);
        Assert.Equal(6380, o.Port);
        Assert.Equal("s3cret", o.Password);
        Assert.Equal("app", o.User);
        Assert.True(o.Ssl);
        Assert.Equal("cache.example", o.SslHost);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), o.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.SyncTimeout);
        Assert.Equal(2, o.DefaultDatabase);
        Assert.Equal("web", o.ClientName);
        Assert.Equal(RespVersion.Resp2, o.Protocol);
        Assert.True(o.Cluster);
    }

    [Fact]
    public void Defaults_port_and_accepts_spaces_and_case()
    {
        var o = MagpieConnectionOptions.Parse(" localhost , SSL=False , SyncTimeout=100 ");
        Assert.Equal("localhost", o.Host);
        Assert.Equal(6379, o.Port);
        Assert.False(o.Ssl);
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.SyncTimeout);
        Assert.Null(o.Protocol);
    }

    [Fact]
    public void Parses_ipv6_endpoints()
    {
        var o = MagpieConnectionOptions.Parse("[::1]:7000");
        Assert.Equal("::1", o.Host);
        Assert.Equal(7000, o.Port);
        Assert.Equal("[::1]:7000", o.EndPoint);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("ssl=true", "no host:port")]
    [InlineData("a:1,b:2", "Only one endpoint")]
    [InlineData("host:0", "Port out of range")]
    [InlineData("host:abc", "must be an integer")]
    [InlineData("host,ssl=maybe", "true or false")]
    [InlineData("host,syncTimeout=-5", "positive")]
    [InlineData("host,bogus=1", "Unknown connection string option 'bogus'")]
    [InlineData("host,protocol=resp9", "resp2 or resp3")]
    public void Rejects_bad_strings_with_a_clear_message(string text, string expected)
    {
        var ex = Assert.ThrowsAny<Exception>(() => MagpieConnectionOptions.Parse(text));
        Assert.True(ex is FormatException or ArgumentException);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void ToString_round_trips_and_masks_the_password()
    {
        var o = MagpieConnectionOptions.Parse("h:1,password=pw,syncTimeout=300,name=n,protocol=resp3");
        var text = o.ToString();
        Assert.DoesNotContain("pw", text.Replace("password", ""));
        var back = MagpieConnectionOptions.Parse(text.Replace("*****", "pw"));
        Assert.Equal(o.ToString(), back.ToString());
    }
}
