using Magpie.Server.Hosting;
using Magpie.Server.Util;
using Magpie.Storage;

namespace Magpie.Server.Config;

/// <summary>
/// CONFIG GET/SET parameters, with Redis's names. Every start-up option is readable; the ones a
/// running node can change are settable.
/// </summary>
public sealed class ConfigRegistry
{
    private readonly ServerState _server;
    private readonly Dictionary<string, ConfigParameter> _parameters = new(StringComparer.OrdinalIgnoreCase);

    public ConfigRegistry(ServerState server)
    {
        _server = server;
        var o = server.Options;
        var ks = server.Keyspace;
        Add("port", () => (server.BoundPort != 0 ? server.BoundPort : o.Port).ToString());
        Add("bind", () => o.Bind);
        Add("http-port", () => (server.BoundHttpPort != 0 ? server.BoundHttpPort : o.HttpPort).ToString());
        Add("databases", () => o.Databases.ToString());
        Add("maxmemory", () => ks.MaxMemory.ToString(), v =>
        {
            if (!MemoryUnits.TryParse(v, out long bytes) || bytes < 0) return "argument must be a memory value";
            ks.MaxMemory = bytes;
            return null;
        });
        Add("maxmemory-policy", () => ks.Policy.Name(), v =>
        {
            if (!EvictionPolicyNames.TryParse(v, out var policy)) return "argument(s) must be one of the following: " + string.Join(", ", EvictionPolicyNames.All);
            ks.Policy = policy;
            return null;
        });
        Add("maxmemory-samples", () => ks.MaxMemorySamples.ToString(), v => SetInt(v, 1, 64, n => ks.MaxMemorySamples = n));
        Add("lfu-log-factor", () => ks.LfuLogFactor.ToString(), v => SetInt(v, 0, int.MaxValue, n => ks.LfuLogFactor = n));
        Add("lfu-decay-time", () => ks.LfuDecayTime.ToString(), v => SetInt(v, 0, int.MaxValue, n => ks.LfuDecayTime = n));
        Add("proto-max-bulk-len", () => server.MaxBulkLength.ToString(), v =>
        {
            if (!MemoryUnits.TryParse(v, out long bytes) || bytes < 1024 * 1024) return "argument must be a memory value of at least 1mb";
            server.MaxBulkLength = bytes;
            return null;
        });
        Add("hz", () => server.Hz.ToString(), v => SetInt(v, 1, 500, n => server.Hz = n));
        Add("timeout", () => server.IdleTimeoutSeconds.ToString(), v => SetInt(v, 0, int.MaxValue, n => server.IdleTimeoutSeconds = n));
        Add("maxclients", () => o.MaxClients.ToString(), v => SetInt(v, 1, 1_000_000, n => o.MaxClients = n));
        Add("log-format", () => o.LogFormat);
        Add("requirepass", () => server.Acl.RequirePass, v =>
        {
            server.Acl.SetRequirePass(v);
            return null;
        });
        Add("aclfile", () => o.AclFile);
        Add("keyspace-walk-budget-ms", () => server.KeyspaceWalkBudgetMs.ToString(), v => SetInt(v, 0, int.MaxValue, n => server.KeyspaceWalkBudgetMs = n));
        Add("protected-mode", () => o.ProtectedMode ? "yes" : "no", v => SetYesNo(v, b => o.ProtectedMode = b));
        Add("client-query-buffer-limit", () => server.ClientQueryBufferLimit.ToString(), v =>
        {
            if (!MemoryUnits.TryParse(v, out long bytes) || bytes < 1024 * 1024) return "argument must be a memory value of at least 1mb";
            server.ClientQueryBufferLimit = bytes;
            return null;
        });
        Add("client-output-buffer-limit", () => server.OutputLimits.Format(), v => server.OutputLimits.TrySet(v));
        Add("save", () => server.Persistence.Points.ToString(), v =>
        {
            if (!Persistence.SavePoints.TryParse(v, out var points, out var error)) return error;
            server.Persistence.Points = points;
            return null;
        });
        Add("dir", () => server.Persistence.DataDir ?? "");
        Add("dbfilename", () => server.Persistence.DbFilename);
        Add("rdbcompression", () => server.Persistence.Compress ? "yes" : "no", v =>
        {
            if (v is not ("yes" or "no")) return "argument must be 'yes' or 'no'";
            server.Persistence.Compress = v == "yes";
            return null;
        });
        AofConfig.Register(this, server);
        TlsConfig.Register(this, server);
        EncodingConfig.Register(this);
        IntrospectionConfig.Register(this, server);
        RedisConfigDefaults.AddMissing(this);
    }

    private static string? SetYesNo(string value, Action<bool> apply)
    {
        if (value.Equals("yes", StringComparison.OrdinalIgnoreCase)) apply(true);
        else if (value.Equals("no", StringComparison.OrdinalIgnoreCase)) apply(false);
        else return "argument must be 'yes' or 'no'";
        return null;
    }

    private static string? SetInt(string value, int min, int max, Action<int> apply)
    {
        if (!int.TryParse(value, out int n) || n < min || n > max) return $"argument must be between {min} and {max} inclusive";
        apply(n);
        return null;
    }

    public void Add(string name, Func<string> get, Func<string, string?>? set = null) =>
        _parameters[name] = new ConfigParameter(name, get, set);

    public void Add(ConfigParameter parameter) => _parameters[parameter.Name] = parameter;

    /// <summary>Copies the validated start-up options into the keyspace and server.</summary>
    public void ApplyStartupOptions()
    {
        var o = _server.Options;
        var ks = _server.Keyspace;
        MemoryUnits.TryParse(o.MaxMemory, out long maxMemory);
        ks.MaxMemory = maxMemory;
        EvictionPolicyNames.TryParse(o.MaxMemoryPolicy, out var policy);
        ks.Policy = policy;
        ks.MaxMemorySamples = o.MaxMemorySamples;
        ks.LfuLogFactor = o.LfuLogFactor;
        ks.LfuDecayTime = o.LfuDecayTime;
        MemoryUnits.TryParse(o.ProtoMaxBulkLen, out long bulk);
        _server.MaxBulkLength = bulk;
        _server.Hz = o.Hz;
        _server.IdleTimeoutSeconds = o.Timeout;
        MemoryUnits.TryParse(o.ClientQueryBufferLimit, out long qbuf);
        _server.ClientQueryBufferLimit = qbuf;
        if (o.RequirePass.Length > 0) _server.Acl.SetRequirePass(o.RequirePass);
        if (o.AclFile.Length > 0)
        {
            _server.Acl.AclFile = o.AclFile;
            if (_server.Acl.Load(o.AclFile) is { } error) throw new InvalidOperationException(error);
        }
    }

    /// <summary>Parameters whose names match any of the glob patterns, each once.</summary>
    public IEnumerable<ConfigParameter> Matching(IEnumerable<string> patterns)
    {
        var seen = new HashSet<string>();
        foreach (var pattern in patterns)
            foreach (var p in _parameters.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
                if (Glob.Match(pattern, p.Name) && seen.Add(p.Name)) yield return p;
    }

    public ConfigParameter? Find(string name) => _parameters.GetValueOrDefault(name);
}

public sealed record ConfigParameter(string Name, Func<string> Get, Func<string, string?>? Set)
{
    public bool Mutable => Set is not null;

    /// <summary>
    /// Run once after every pair of a CONFIG SET was set (e.g. reload the TLS files once when the
    /// certificate and key change together); an error rolls the whole CONFIG SET back.
    /// </summary>
    public Func<string?>? Apply { get; init; }
}
