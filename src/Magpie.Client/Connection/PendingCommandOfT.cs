using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>A command whose caller awaits a <typeparamref name="T"/>, converted from the reply when it completes.</summary>
internal sealed class PendingCommand<T>(string name, int argCount, int database, Func<RespValue, T> convert)
    : PendingCommand(name, argCount, database)
{
    // Completed off the reader loop (by CompletionBatch), so continuations may run inline.
    private readonly TaskCompletionSource<T> _source = new(TaskCreationOptions.None);

    public Task<T> Task => _source.Task;

    public override bool IsCompleted => _source.Task.IsCompleted;

    public override void Complete(in RespValue reply)
    {
        if (reply.IsError && !ErrorsAsValues)
        {
            var error = ErrorFor(reply);
            if (TryRedirect(error)) return;
            ReleaseBuffer();
            _source.TrySetException(error);
            return;
        }
        if (Redirect is not null) ReleaseBuffer();
        T value;
        try
        {
            value = convert(reply);
        }
        catch (Exception ex)
        {
            _source.TrySetException(new MagpieException($"Unexpected {reply.Kind} reply to {Name}: {ex.Message}", ex));
            return;
        }
        _source.TrySetResult(value);
    }

    public override bool TrySetException(Exception exception) => _source.TrySetException(exception);

    public override bool TrySetCanceled() => _source.TrySetCanceled();
}
