using System.Security.Authentication;
using Magpie.Server.Security;

namespace Magpie.Server.Tests;

/// <summary>tls-protocols, tls-ciphersuites and tls-auth-clients parse as Redis spells them; bad values name the problem.</summary>
public class TlsSettingsTests
{
    [Theory]
    [InlineData("TLSv1.2 TLSv1.3", SslProtocols.Tls12 | SslProtocols.Tls13)]
    [InlineData("TLSv1.3", SslProtocols.Tls13)]
    [InlineData("tlsv1.2", SslProtocols.Tls12)]
    [InlineData("", SslProtocols.None)]
    public void Protocols_parse(string text, SslProtocols expected)
    {
        Assert.True(TlsSettings.TryParseProtocols(text, out var protocols, out var error), error);
        Assert.Equal(expected, protocols);
    }

    [Theory]
    [InlineData("TLSv1.1")]
    [InlineData("SSLv3")]
    public void Old_or_unknown_protocols_are_refused(string text) =>
        Assert.False(TlsSettings.TryParseProtocols(text, out _, out _));

    [Fact]
    public void Ciphersuites_take_iana_names()
    {
        Assert.True(TlsSettings.TryParseCiphersuites("TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256", out var policy, out _));
        Assert.NotNull(policy);
        Assert.False(TlsSettings.TryParseCiphersuites("NOT_A_SUITE", out _, out var error));
        Assert.Contains("NOT_A_SUITE", error);
        Assert.False(TlsSettings.TryParseCiphersuites("4866", out _, out _));
    }

    [Fact]
    public void Reload_without_files_names_the_option_and_auth_clients_is_checked()
    {
        var tls = new TlsSettings { Port = 6380 };
        Assert.StartsWith("tls-cert-file:", tls.Reload());
        Assert.Null(TlsSettings.CheckAuthClients("optional"));
        Assert.NotNull(TlsSettings.CheckAuthClients("maybe"));
    }

    [Fact]
    public void Sort_past_its_budget_answers_an_error()
    {
        var client = new TestClient();
        var push = new List<string> { "RPUSH", "big" };
        for (int i = 0; i < 100_000; i++) push.Add(i.ToString());
        client.Run([.. push]);
        Assert.Equal("+OK\r\n", client.Run("CONFIG", "SET", "keyspace-walk-budget-ms", "1"));
        Assert.StartsWith("-ERR SORT exceeded keyspace-walk-budget-ms (1 ms)", client.Run("SORT", "big", "BY", "w_*", "GET", "g_*", "GET", "#"));
        Assert.Equal("+OK\r\n", client.Run("CONFIG", "SET", "keyspace-walk-budget-ms", "0"));
        Assert.Equal("*2\r\n$1\r\n0\r\n$1\r\n1\r\n", client.Run("SORT", "big", "LIMIT", "0", "2"));
    }
}
