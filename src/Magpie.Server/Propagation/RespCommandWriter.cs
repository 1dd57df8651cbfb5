using System.Buffers;
using Magpie.Protocol;

namespace Magpie.Server.Propagation;

/// <summary>Writes commands as RESP arrays of bulk strings (the form the AOF and the backlog hold).</summary>
public sealed class RespCommandWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Clear() => _buffer.ResetWrittenCount();

    public void Begin(int argc)
    {
        var span = _buffer.GetSpan(24);
        span[0] = (byte)'*';
        int n = RedisNumbers.FormatInt64(argc, span[1..]);
        span[1 + n] = (byte)'\r';
        span[2 + n] = (byte)'\n';
        _buffer.Advance(3 + n);
    }

    public void Arg(ReadOnlySpan<byte> value)
    {
        var span = _buffer.GetSpan(24);
        span[0] = (byte)'$';
        int n = RedisNumbers.FormatInt64(value.Length, span[1..]);
        span[1 + n] = (byte)'\r';
        span[2 + n] = (byte)'\n';
        _buffer.Advance(3 + n);
        _buffer.Write(value);
        span = _buffer.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        _buffer.Advance(2);
    }

    public void Arg(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Arg(digits[..RedisNumbers.FormatInt64(value, digits)]);
    }

    public void Command(params ReadOnlySpan<byte[]> args)
    {
        Begin(args.Length);
        foreach (var a in args) Arg(a);
    }

    public void Append(ReadOnlySpan<byte> raw) => _buffer.Write(raw);
}
