namespace Magpie.Client;

/// <summary>
/// Explicit pipelining: typed commands are queued locally (their tasks complete later) and
/// <see cref="Execute"/> hands them all to the connection at once, so they go out back to back.
/// </summary>
public interface IMagpieBatch : IMagpieDatabaseAsync
{
    /// <summary>Sends every queued command. Await the tasks the typed methods returned for the replies.</summary>
    void Execute();
}

/// <summary>
/// Commands run atomically with MULTI/EXEC. Conditions (and <see cref="Watch"/>) are checked under
/// WATCH; if one fails, or a watched key changes before EXEC, nothing runs and the result is false.
/// </summary>
public interface IMagpieTransaction : IMagpieDatabaseAsync
{
    /// <summary>Adds a precondition, checked right before MULTI while its key is watched.</summary>
    void AddCondition(Condition condition);

    /// <summary>Aborts the transaction if <paramref name="key"/> changes between now-ish (WATCH) and EXEC.</summary>
    void Watch(MagpieKey key);

    /// <summary>True if EXEC ran; false if a condition failed or a watched key changed (the command tasks are then cancelled).</summary>
    Task<bool> ExecuteAsync(CancellationToken cancellationToken = default);
}
