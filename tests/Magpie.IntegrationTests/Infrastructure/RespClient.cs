using System.Net.Sockets;
using System.Text;

namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>
/// A tiny binary-safe RESP2 client for tests that compare raw bytes (DUMP payloads): replies come
/// back as byte[] (bulk), string (simple), <see cref="RespError"/>, long, null or object?[] (arrays).
/// </summary>
public sealed class RespClient : IDisposable
{
    private readonly TcpClient _client = new();
    private BufferedStream _stream = null!;

    public static async Task<RespClient> ConnectAsync(int port)
    {
        var c = new RespClient();
        await c._client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        c._stream = new BufferedStream(c._client.GetStream(), 1 << 16);
        c._client.ReceiveTimeout = 30_000;
        return c;
    }

    public object? Call(params object[] args)
    {
        var sb = new MemoryStream();
        void W(string s) => sb.Write(Encoding.ASCII.GetBytes(s));
        W($"*{args.Length}\r\n");
        foreach (var a in args)
        {
            var bytes = a as byte[] ?? Encoding.UTF8.GetBytes(Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture)!);
            W($"${bytes.Length}\r\n");
            sb.Write(bytes);
            W("\r\n");
        }
        _stream.Write(sb.ToArray());
        _stream.Flush();
        return Read();
    }

    public string CallString(params object[] args) => Call(args) switch
    {
        byte[] b => Encoding.UTF8.GetString(b),
        var o => o?.ToString() ?? "(nil)",
    };

    private object? Read()
    {
        int type = _stream.ReadByte();
        string line = ReadLine();
        switch (type)
        {
            case '+': return line;
            case '-': return new RespError(line);
            case ':': return long.Parse(line);
            case '$':
            {
                int len = int.Parse(line);
                if (len < 0) return null;
                var data = new byte[len];
                _stream.ReadExactly(data);
                ReadLine();
                return data;
            }
            case '*':
            {
                int len = int.Parse(line);
                if (len < 0) return null;
                var items = new object?[len];
                for (int i = 0; i < len; i++) items[i] = Read();
                return items;
            }
            default: throw new InvalidDataException($"bad reply type {(char)type}");
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = _stream.ReadByte();
            if (b < 0) throw new EndOfStreamException();
            if (b == '\r')
            {
                _stream.ReadByte();
                return sb.ToString();
            }
            sb.Append((char)b);
        }
    }

    public void Dispose() => _client.Dispose();
}

public sealed record RespError(string Message)
{
    public override string ToString() => Message;
}

/// <summary>A real redis-server 7.0.15 on a free port with its own data directory, stopped on dispose.</summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;

    private RedisServerProcess(System.Diagnostics.Process process, int port, string dir)
    {
        _process = process;
        Port = port;
        Dir = dir;
    }

    public int Port { get; }

    public string Dir { get; }

    public static async Task<RedisServerProcess> StartAsync(string? dir = null, params string[] extra)
    {
        dir ??= Directory.CreateTempSubdirectory("magpie-redis-").FullName;
        int port = MagpieNode.FreePort();
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no" }) psi.ArgumentList.Add(a);
        foreach (var a in extra) psi.ArgumentList.Add(a);
        var p = System.Diagnostics.Process.Start(psi)!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var c = await RespClient.ConnectAsync(port);
                if (c.Call("PING") is "PONG") break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !p.HasExited)
            {
            }
            if (p.HasExited) throw new InvalidOperationException($"redis-server exited with {p.ExitCode}");
            await Task.Delay(100);
        }
        return new RedisServerProcess(p, port, dir);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}
