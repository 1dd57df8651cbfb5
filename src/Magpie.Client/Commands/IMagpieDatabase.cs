namespace Magpie.Client;

/// <summary>A database on a connection. Cheap to get and to keep; all databases share the connection's socket.</summary>
public interface IMagpieDatabase : IMagpieDatabaseAsync
{
    MagpieConnection Connection { get; }

    /// <summary>Commands queued locally and sent back to back on <see cref="IMagpieBatch.Execute"/>.</summary>
    IMagpieBatch CreateBatch();

    /// <summary>Commands sent inside MULTI/EXEC, optionally guarded by WATCH conditions.</summary>
    IMagpieTransaction CreateTransaction();
}
