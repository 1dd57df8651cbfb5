using Magpie.Server.Hosting;
using Magpie.Server.Persistence;

namespace Magpie.Server.Config;

/// <summary>CONFIG GET/SET of the append-only file: appendonly (a runtime switch, as in Redis), appendfsync, its names, aof-load-truncated.</summary>
internal static class AofConfig
{
    public static void Register(ConfigRegistry r, ServerState server)
    {
        AppendOnlyFile? Aof() => server.Persistence.Aof;
        r.Add("appendonly", () => Aof()?.Enabled == true ? "yes" : "no", v =>
        {
            if (v is not ("yes" or "no")) return "argument must be 'yes' or 'no'";
            var aof = Aof();
            if (aof is null) return v == "no" ? null : "appendonly needs the node started with --data-dir";
            if (v == "no")
            {
                aof.Disable();
                return null;
            }
            return aof.Enable() is { } err ? err.Replace("ERR ", "", StringComparison.Ordinal) : null;
        });
        r.Add("appendfsync", () => AppendOnlyFile.FormatFsync(Aof()?.Fsync ?? AppendOnlyFile.ParseFsync(server.Options.AppendFsync) ?? AofFsync.EverySec), v =>
        {
            if (AppendOnlyFile.ParseFsync(v) is not { } f) return "argument(s) must be one of the following: always, everysec, no";
            if (Aof() is { } aof)
            {
                bool wasEnabled = aof.Enabled;
                // The writer thread exists only for everysec and no: switch by re-opening.
                if (wasEnabled) aof.Disable();
                aof.Fsync = f;
                if (wasEnabled) aof.Enable();
            }
            return null;
        });
        r.Add("appenddirname", () => server.Options.AppendDirName);
        r.Add("appendfilename", () => server.Options.AppendFilename);
        r.Add("aof-load-truncated", () => (Aof()?.LoadTruncated ?? server.Options.AofLoadTruncated) ? "yes" : "no", v =>
        {
            if (v is not ("yes" or "no")) return "argument must be 'yes' or 'no'";
            if (Aof() is { } aof) aof.LoadTruncated = v == "yes";
            return null;
        });
    }
}
