using System.IO.Pipelines;
using System.Text;
using Magpie.Protocol;
using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>
/// The first exchange on a new socket, before the loops run: HELLO 3 (with AUTH and SETNAME) where
/// the server offers RESP3, else AUTH and CLIENT SETNAME on RESP2. A server that errors on HELLO
/// (old Redis, or one without RESP3) gets RESP2.
/// </summary>
internal static class Handshake
{
    public static async Task<RespVersion> RunAsync(PipeReader input, PipeWriter output, MagpieConnectionOptions options, CancellationToken ct)
    {
        if (options.Protocol != RespVersion.Resp2)
        {
            var hello = PendingCommand.Raw("HELLO", HelloArgCount(options)).Add(3);
            if (options.Password is not null) hello.AddAscii("AUTH").Add(options.User ?? "default").Add(options.Password);
            if (options.ClientName is not null) hello.AddAscii("SETNAME").Add(options.ClientName);
            var reply = await RoundTripAsync(input, output, hello, ct).ConfigureAwait(false);
            if (!reply.IsError) return RespVersion.Resp3;
            string error = Encoding.UTF8.GetString(reply.Span);
            if (IsAuthError(error) || options.Protocol == RespVersion.Resp3)
                throw new MagpieConnectionException($"Handshake with {options.EndPoint} failed: {error}");
        }

        if (options.Password is not null)
        {
            var auth = options.User is null
                ? PendingCommand.Raw("AUTH", 1).Add(options.Password)
                : PendingCommand.Raw("AUTH", 2).Add(options.User).Add(options.Password);
            var reply = await RoundTripAsync(input, output, auth, ct).ConfigureAwait(false);
            if (reply.IsError) throw new MagpieConnectionException($"AUTH on {options.EndPoint} failed: {Encoding.UTF8.GetString(reply.Span)}");
        }
        if (options.ClientName is not null)
        {
            // Best effort: a server without CLIENT SETNAME still works.
            await RoundTripAsync(input, output, PendingCommand.Raw("CLIENT", 2).AddAscii("SETNAME").Add(options.ClientName), ct).ConfigureAwait(false);
        }
        return RespVersion.Resp2;
    }

    private static int HelloArgCount(MagpieConnectionOptions options) =>
        1 + (options.Password is not null ? 3 : 0) + (options.ClientName is not null ? 2 : 0);

    private static bool IsAuthError(string error) =>
        error.StartsWith("WRONGPASS", StringComparison.Ordinal) || error.StartsWith("NOPERM", StringComparison.Ordinal) ||
        error.StartsWith("NOAUTH", StringComparison.Ordinal);

    private static async Task<RespValue> RoundTripAsync(PipeReader input, PipeWriter output, PendingCommand command, CancellationToken ct)
    {
        await output.WriteAsync(command.Encoded.ToArray(), ct).ConfigureAwait(false);
        command.ReleaseBuffer();
        while (true)
        {
            var result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (RespReplyParser.TryParse(ref buffer, out var reply))
            {
                input.AdvanceTo(buffer.Start);
                return reply;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) throw new IOException("The server closed the connection during the handshake.");
        }
    }
}
