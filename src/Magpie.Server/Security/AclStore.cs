using System.Text;
using Magpie.Server.Commands;
using Magpie.Server.Connections;
using Magpie.Server.Hosting;

namespace Magpie.Server.Security;

/// <summary>
/// The node's ACL users (Redis 7.0's ACL), the ACL LOG, and authentication. Used under the keyspace
/// lock, except <see cref="Authenticate(string, string)"/> for the HTTP API, which takes it itself.
/// </summary>
public sealed class AclStore
{
    private readonly ServerState _server;
    private readonly SortedDictionary<string, AclUser> _users = new(StringComparer.Ordinal);
    private readonly LinkedList<AclLogEntry> _log = new();
    private long _nextLogId;

    public AclStore(ServerState server)
    {
        _server = server;
        Default = NewDefaultUser();
        _users["default"] = Default;
    }

    public AclUser Default { get; private set; }

    public IEnumerable<AclUser> Users => _users.Values;

    /// <summary>The --aclfile path, or null.</summary>
    public string? AclFile { get; set; }

    /// <summary>Max ACL LOG entries (acllog-max-len).</summary>
    public int LogMaxLength { get; set; } = 128;

    /// <summary>True when a connection must authenticate before running commands (the default user has a password or is off).</summary>
    public bool AuthRequired => !Default.NoPass || !Default.Enabled;

    public AclUser? Find(string name) => _users.GetValueOrDefault(name);

    private AclUser NewDefaultUser()
    {
        var user = new AclUser("default", _server.Commands);
        user.ApplyAll(["on", "nopass", "~*", "&*", "+@all"]);
        return user;
    }

    /// <summary>The user a session runs as (the default user until it authenticates as another).</summary>
    public AclUser UserOf(ClientSession session) => session.User ?? Default;

    /// <summary>requirepass: sets the default user's only password, or nopass for "".</summary>
    public void SetRequirePass(string password)
    {
        Default.ApplyAll(password.Length == 0 ? ["nopass"] : ["resetpass", ">" + password]);
        RequirePass = password;
    }

    /// <summary>CONFIG GET requirepass: the last password set that way.</summary>
    public string RequirePass { get; private set; } = "";

    /// <summary>AUTH / HELLO AUTH: true and the session is now that user; false, and the failure is logged.</summary>
    public bool Authenticate(ClientSession session, string username, string password)
    {
        var user = Find(username);
        if (user is null || !user.CheckPassword(password))
        {
            AddLog("auth", "toplevel", "AUTH", username, session);
            return false;
        }
        session.User = user;
        session.Authenticated = true;
        return true;
    }

    /// <summary>HTTP Basic: whether the credentials name an enabled user with that password.</summary>
    public bool Authenticate(string username, string password)
    {
        lock (_server.Keyspace.Sync) return Find(username)?.CheckPassword(password) ?? false;
    }

    /// <summary>
    /// The dispatcher's single check before a command runs: NOAUTH when the connection must log in
    /// first, NOPERM when its user may not run it. Writes the error and returns false when refused.
    /// </summary>
    public bool Permit(CommandContext ctx, CommandSpec spec)
    {
        var session = ctx.Client;
        if (!session.Authenticated && AuthRequired && !spec.HasFlag(CommandFlags.NoAuth))
        {
            ctx.Error("NOAUTH Authentication required.");
            return false;
        }
        var user = UserOf(session);
        if (user.Unrestricted) return true;
        var denial = user.Check(spec, ctx.Request, out int index);
        if (denial == AclDenial.None) return true;
        var (reason, obj) = denial switch
        {
            AclDenial.Key => ("key", ctx.ArgString(index)),
            AclDenial.Channel => ("channel", ctx.ArgString(index)),
            _ => ("command", spec.FullName),
        };
        AddLog(reason, session.Transaction.InMulti ? "multi" : "toplevel", obj, user.Name, session);
        ctx.Error(denial switch
        {
            AclDenial.Key => "NOPERM this user has no permissions to access one of the keys used as arguments",
            AclDenial.Channel => "NOPERM this user has no permissions to access one of the channels used as arguments",
            _ => $"NOPERM this user has no permissions to run the '{spec.FullName}' command",
        });
        return false;
    }

    /// <summary>
    /// EXEC re-checks each queued command as it runs, as Redis does: the user's rules may have changed
    /// since MULTI. A denied command answers Redis's NOPERM text in its slot; the others still run.
    /// </summary>
    public bool PermitQueued(CommandContext ctx, CommandSpec spec)
    {
        var session = ctx.Client;
        var user = UserOf(session);
        if (user.Unrestricted) return true;
        var denial = user.Check(spec, ctx.Request, out int index);
        if (denial == AclDenial.None) return true;
        var (reason, obj, text) = denial switch
        {
            AclDenial.Key => ("key", ctx.ArgString(index), "no permission to touch the specified keys"),
            AclDenial.Channel => ("channel", ctx.ArgString(index), "no permission to access one of the channels used as arguments"),
            _ => ("command", spec.FullName, "no permission to execute the command or subcommand"),
        };
        AddLog(reason, "multi", obj, user.Name, session);
        ctx.Error("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + text);
        return false;
    }

    /// <summary>ACL DRYRUN's text for a denial, or null when allowed.</summary>
    public static string? DryRun(AclUser user, CommandSpec spec, Protocol.RespRequest request)
    {
        var denial = user.Check(spec, request, out int index);
        return denial switch
        {
            AclDenial.None => null,
            AclDenial.Key => $"This user has no permissions to access the '{request.GetString(index)}' key",
            AclDenial.Channel => $"This user has no permissions to access the '{request.GetString(index)}' channel",
            _ => $"This user has no permissions to run the '{spec.FullName}' command",
        };
    }

    /// <summary>ACL SETUSER: creates the user if needed and applies the rules atomically.</summary>
    public string? SetUser(string name, IReadOnlyList<string> rules)
    {
        if (name.Contains(' ') || name.Length == 0) return "Usernames can't contain spaces or null characters";
        bool created = false;
        if (!_users.TryGetValue(name, out var user))
        {
            user = new AclUser(name, _server.Commands);
            created = true;
        }
        var error = user.ApplyAll(rules);
        if (error is not null) return error;
        if (created) _users[name] = user;
        return null;
    }

    /// <summary>ACL DELUSER: removes users (never "default") and disconnects their clients.</summary>
    public int DeleteUsers(IEnumerable<string> names)
    {
        int deleted = 0;
        foreach (var name in names)
        {
            if (!_users.Remove(name, out var user)) continue;
            deleted++;
            foreach (var client in _server.Clients.All)
                if (ReferenceEquals(client.User, user)) client.Kill();
        }
        return deleted;
    }

    public IReadOnlyCollection<AclLogEntry> Log => _log;

    public void ResetLog() => _log.Clear();

    private void AddLog(string reason, string context, string obj, string username, ClientSession session)
    {
        long now = _server.Keyspace.Clock();
        foreach (var entry in _log)
        {
            if (entry.Reason == reason && entry.Context == context && entry.Object == obj && entry.Username == username && now - entry.LastMs < 60_000)
            {
                entry.Count++;
                entry.LastMs = now;
                entry.ClientInfo = Describe(session);
                _log.Remove(entry);
                _log.AddFirst(entry);
                return;
            }
        }
        _log.AddFirst(new AclLogEntry(++_nextLogId, reason, context, obj, username, now, Describe(session)));
        while (_log.Count > LogMaxLength) _log.RemoveLast();
    }

    private static string Describe(ClientSession s) =>
        $"id={s.Id} addr={s.RemoteEndPoint} laddr={s.LocalEndPoint} name={s.Name} db={s.Database} cmd={s.LastCommand} user={s.User?.Name ?? "default"}";

    /// <summary>The ACL file text (ACL SAVE): one "user ..." line per user.</summary>
    public string Serialize()
    {
        var sb = new StringBuilder();
        foreach (var user in _users.Values) sb.Append(user.Describe()).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// ACL LOAD / --aclfile: replaces every user with the file's, all or nothing. Returns an error
    /// naming the file and line, as Redis does, or null.
    /// </summary>
    public string? Load(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"Error loading ACLs, opening file '{path}': {ex.Message}";
        }
        var loaded = new SortedDictionary<string, AclUser>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words[0] != "user" || words.Length < 2) return $"{path}:{i + 1}: line should start with user keyword";
            if (loaded.ContainsKey(words[1])) return $"{path}:{i + 1}: Duplicate user '{words[1]}' found";
            var user = new AclUser(words[1], _server.Commands);
            var error = user.ApplyAll(words[2..]);
            if (error is not null) return $"{path}:{i + 1}: {error}";
            loaded[words[1]] = user;
        }
        if (!loaded.ContainsKey("default")) loaded["default"] = NewDefaultUser();
        _users.Clear();
        foreach (var (name, user) in loaded) _users[name] = user;
        Default = _users["default"];
        // Connections keep their user if it still exists under that name; others are disconnected.
        foreach (var client in _server.Clients.All)
        {
            if (client.User is not { } u) continue;
            client.User = _users.GetValueOrDefault(u.Name);
            if (client.User is null) client.Kill();
        }
        return null;
    }

    public string? Save()
    {
        if (AclFile is null) return NoFile;
        var temp = AclFile + ".tmp";
        File.WriteAllText(temp, Serialize());
        File.Move(temp, AclFile, overwrite: true);
        return null;
    }

    public const string NoFile = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";
}

/// <summary>One ACL LOG entry.</summary>
public sealed class AclLogEntry(long id, string reason, string context, string obj, string username, long createdMs, string clientInfo)
{
    public long Id { get; } = id;
    public string Reason { get; } = reason;
    public string Context { get; } = context;
    public string Object { get; } = obj;
    public string Username { get; } = username;
    public long CreatedMs { get; } = createdMs;
    public long LastMs { get; set; } = createdMs;
    public long Count { get; set; } = 1;
    public string ClientInfo { get; set; } = clientInfo;
}
