using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Differential;

/// <summary>
/// A Magpie node and a redis-server side by side, with a RESP2 and a RESP3 connection to each:
/// every command goes to both and the raw replies must be identical, byte for byte.
/// </summary>
public class DifferentialPair : IAsyncLifetime
{
    /// <summary>Extra start-up arguments given to both servers (a derived fixture sets them).</summary>
    protected virtual string[] ServerArgs => [];

    public MagpieNode Magpie { get; private set; } = null!;

    public RedisReference Redis { get; private set; } = null!;

    private RespPipe _m2 = null!, _m3 = null!, _r2 = null!, _r3 = null!;

    public async Task InitializeAsync()
    {
        var magpie = MagpieNode.StartAsync(ServerArgs);
        var redis = RedisReference.StartAsync(ServerArgs);
        Magpie = await magpie;
        Redis = await redis;
        _m2 = await RespPipe.OpenAsync(Magpie.Port, 2);
        _m3 = await RespPipe.OpenAsync(Magpie.Port, 3);
        _r2 = await RespPipe.OpenAsync(Redis.Port, 2);
        _r3 = await RespPipe.OpenAsync(Redis.Port, 3);
    }

    /// <summary>Sends the command to both servers (RESP2, or RESP3) and asserts equal replies; returns the reply.</summary>
    public string Same(params string[] args) => Same(3, args);

    public string Same2(params string[] args) => Same(2, args);

    private string Same(int protocol, string[] args)
    {
        var bytes = args.Select(a => Encoding.UTF8.GetBytes(a)).ToArray();
        return Encoding.Latin1.GetString(SameBytes(protocol, bytes));
    }

    /// <summary>As <see cref="Same(string[])"/> with binary arguments.</summary>
    public byte[] SameBytes(int protocol, params byte[][] args)
    {
        var expected = (protocol == 3 ? _r3 : _r2).CallBytes(args);
        var actual = (protocol == 3 ? _m3 : _m2).CallBytes(args);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            string command = string.Join(' ', args.Select(a => Encoding.UTF8.GetString(a)));
            Assert.Fail($"RESP{protocol} reply differs for: {command}\nredis:  {Show(expected)}\nmagpie: {Show(actual)}");
        }
        return actual;
    }

    /// <summary>Runs the command on both in RESP2 and RESP3 (for reads: both protocols must match).</summary>
    public void Both(params string[] args)
    {
        Same(2, args);
        Same(3, args);
    }

    private static string Show(byte[] reply)
    {
        var text = Encoding.Latin1.GetString(reply).Replace("\r\n", "\\r\\n");
        return text.Length > 3000 ? text[..3000] + "..." : text;
    }

    public async Task DisposeAsync()
    {
        _m2?.Dispose();
        _m3?.Dispose();
        _r2?.Dispose();
        _r3?.Dispose();
        if (Magpie is not null) await Magpie.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
    }
}
