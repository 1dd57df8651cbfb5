using System.Net.Sockets;
using System.Text;

namespace Magpie.IntegrationTests.Infrastructure;

/// <summary>A plain socket for byte-exact RESP checks and malformed input.</summary>
public sealed class RawConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawConnection> OpenAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return new RawConnection(client);
    }

    public async Task SendAsync(string raw) => await _stream.WriteAsync(Encoding.UTF8.GetBytes(raw));

    public Task SendAsync(byte[] raw) => _stream.WriteAsync(raw).AsTask();

    /// <summary>Sends a command as a multibulk and reads one reply (by waiting briefly for bytes to settle).</summary>
    public async Task<string> RequestAsync(params string[] args)
    {
        var sb = new StringBuilder($"*{args.Length}\r\n");
        foreach (var a in args) sb.Append($"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n");
        await SendAsync(sb.ToString());
        return await ReadAvailableAsync();
    }

    /// <summary>Reads what arrives until the connection is quiet for a moment (or closes).</summary>
    public async Task<string> ReadAvailableAsync(int quietMs = 150, int timeoutMs = 5000)
    {
        var buffer = new byte[64 * 1024];
        var sb = new StringBuilder();
        using var total = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(total.Token);
            if (sb.Length > 0) quiet.CancelAfter(quietMs);
            try
            {
                int n = await _stream.ReadAsync(buffer, quiet.Token);
                if (n == 0) return sb.ToString();
                sb.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            catch (OperationCanceledException)
            {
                return sb.ToString();
            }
        }
    }

    /// <summary>True when the server closed the connection (a read returns 0 bytes).</summary>
    public async Task<bool> IsClosedByServerAsync(int timeoutMs = 3000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            var buffer = new byte[1024];
            while (true)
            {
                int n = await _stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _client.Dispose();
}
