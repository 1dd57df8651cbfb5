using System.Net.Sockets;
using System.Text;

namespace Magpie.IntegrationTests.Differential;

/// <summary>A connection that sends one command and returns its complete reply's raw bytes (RESP2 or RESP3).</summary>
public sealed class RespPipe : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start, _end;

    private RespPipe(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _stream.ReadTimeout = 10_000;
    }

    public static async Task<RespPipe> OpenAsync(int port, int protocol = 2)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        var pipe = new RespPipe(client);
        if (protocol == 3) pipe.Call("HELLO", "3");
        return pipe;
    }

    public string Call(params string[] args) => Encoding.Latin1.GetString(CallBytes(args.Select(a => Encoding.UTF8.GetBytes(a)).ToArray()));

    public byte[] CallBytes(params byte[][] args)
    {
        var ms = new MemoryStream();
        void Write(string s) => ms.Write(Encoding.ASCII.GetBytes(s));
        Write($"*{args.Length}\r\n");
        foreach (var a in args)
        {
            Write($"${a.Length}\r\n");
            ms.Write(a);
            Write("\r\n");
        }
        _stream.Write(ms.ToArray());
        var reply = new MemoryStream();
        ReadValue(reply);
        return reply.ToArray();
    }

    /// <summary>Reads one reply or push without sending anything (pub/sub messages).</summary>
    public byte[] ReadReply()
    {
        var reply = new MemoryStream();
        ReadValue(reply);
        return reply.ToArray();
    }

    private void ReadValue(MemoryStream into)
    {
        var line = ReadLine(into);
        char kind = (char)line[0];
        var rest = Encoding.ASCII.GetString(line, 1, line.Length - 1);
        switch (kind)
        {
            case '$' or '=' or '!':
                int len = int.Parse(rest);
                if (len >= 0) ReadExact(into, len + 2);
                break;
            case '*' or '~' or '>':
                int n = int.Parse(rest);
                for (int i = 0; i < n; i++) ReadValue(into);
                break;
            case '%' or '|':
                int pairs = int.Parse(rest);
                for (int i = 0; i < pairs * 2; i++) ReadValue(into);
                if (kind == '|') ReadValue(into);
                break;
        }
    }

    private byte[] ReadLine(MemoryStream into)
    {
        var line = new MemoryStream();
        while (true)
        {
            if (_start == _end) Fill();
            byte b = _buffer[_start++];
            into.WriteByte(b);
            if (b == '\n' && line.Length > 0 && line.GetBuffer()[line.Length - 1] == '\r')
            {
                var bytes = line.ToArray();
                return bytes[..^1];
            }
            line.WriteByte(b);
        }
    }

    private void ReadExact(MemoryStream into, int count)
    {
        while (count > 0)
        {
            if (_start == _end) Fill();
            int take = Math.Min(count, _end - _start);
            into.Write(_buffer, _start, take);
            _start += take;
            count -= take;
        }
    }

    private void Fill()
    {
        _start = 0;
        _end = _stream.Read(_buffer, 0, _buffer.Length);
        if (_end == 0) throw new IOException("connection closed");
    }

    public void Dispose() => _client.Dispose();
}
