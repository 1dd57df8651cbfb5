using System.Buffers;
using Magpie.Server.Commands;

namespace Magpie.Server.Introspection;

/// <summary>
/// CLIENT REPLY OFF|SKIP: the client's writer writes into this instead of its connection, so
/// nothing reaches the client (pushes included, as in Redis) until ON, or for one command (SKIP).
/// </summary>
public sealed class ClientReplyOutput(IBufferWriter<byte> original, bool skipOne) : IBufferWriter<byte>
{
    private byte[] _scratch = new byte[4096];
    private bool _armed = skipOne;

    public IBufferWriter<byte> Original { get; } = original;

    public bool SkipOne { get; } = skipOne;

    public void Advance(int count) { }

    public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint).Span;

    private Memory<byte> Scratch(int sizeHint)
    {
        if (sizeHint > _scratch.Length) _scratch = new byte[Math.Max(sizeHint, _scratch.Length * 2)];
        return _scratch;
    }

    /// <summary>After each top-level command: SKIP's suppression ends after the command that follows it.</summary>
    public void AfterCommand(CommandContext ctx)
    {
        if (!SkipOne) return;
        if (_armed) { _armed = false; return; }
        ctx.Client.Writer.Output = Original;
    }
}
