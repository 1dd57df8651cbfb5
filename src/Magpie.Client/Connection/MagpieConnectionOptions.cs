using System.Globalization;
using System.Net.Security;
using System.Text;
using Magpie.Protocol;

namespace Magpie.Client;

/// <summary>
/// How to reach one server. Also parses StackExchange.Redis-style connection strings:
/// "host:port,password=...,user=...,ssl=false,connectTimeout=5000,syncTimeout=5000,defaultDatabase=0,name=app,protocol=resp3".
/// Timeouts in connection strings are milliseconds.
/// </summary>
public sealed class MagpieConnectionOptions
{
    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 6379;

    public string? User { get; set; }

    public string? Password { get; set; }

    public bool Ssl { get; set; }

    /// <summary>Name the server certificate must carry; defaults to <see cref="Host"/>.</summary>
    public string? SslHost { get; set; }

    /// <summary>Overrides certificate validation (e.g. for a test CA). Null keeps the platform's checks.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>Certificates offered to a server that asks for one (Redis's tls-auth-clients); with <see cref="Ssl"/>.</summary>
    public System.Security.Cryptography.X509Certificates.X509CertificateCollection? ClientCertificates { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a command may wait for its reply, queueing time included.</summary>
    public TimeSpan SyncTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Null: try RESP3 (HELLO 3) and fall back to RESP2. Set to force one.</summary>
    public RespVersion? Protocol { get; set; }

    /// <summary>Sent with HELLO / CLIENT SETNAME so the connection shows up in CLIENT LIST.</summary>
    public string? ClientName { get; set; }

    public int DefaultDatabase { get; set; }

    /// <summary>Follow MOVED/ASK redirects to other cluster nodes (connections to them are made as needed).</summary>
    public bool Cluster { get; set; }

    /// <summary>First delay before reconnecting; doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    public string EndPoint => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public MagpieConnectionOptions Clone() => (MagpieConnectionOptions)MemberwiseClone();

    public static MagpieConnectionOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new MagpieConnectionOptions();
        bool sawEndpoint = false;
        foreach (var rawPart in connectionString.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = rawPart.Trim();
            if (part.Length == 0) continue;
            int eq = part.IndexOf('=');
            if (eq < 0)
            {
                if (sawEndpoint) throw new FormatException($"Only one endpoint is supported, got a second one: '{part}'.");
                ParseEndpoint(part, options);
                sawEndpoint = true;
                continue;
            }
            string name = part[..eq].Trim();
            string value = part[(eq + 1)..].Trim();
            switch (name.ToLowerInvariant())
            {
                case "password": options.Password = value; break;
                case "user": options.User = value; break;
                case "ssl": options.Ssl = ParseBool(name, value); break;
                case "sslhost": options.SslHost = value; break;
                case "connecttimeout": options.ConnectTimeout = ParseMilliseconds(name, value); break;
                case "synctimeout": options.SyncTimeout = ParseMilliseconds(name, value); break;
                case "defaultdatabase": options.DefaultDatabase = ParseInt(name, value); break;
                case "name": options.ClientName = value; break;
                case "protocol": options.Protocol = ParseProtocol(value); break;
                case "cluster": options.Cluster = ParseBool(name, value); break;
                default: throw new FormatException($"Unknown connection string option '{name}'.");
            }
        }
        if (!sawEndpoint) throw new FormatException("The connection string has no host:port.");
        return options;
    }

    /// <summary>The options as a connection string, with the password masked.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(EndPoint);
        if (User is not null) sb.Append(",user=").Append(User);
        if (Password is not null) sb.Append(",password=*****");
        sb.Append(",ssl=").Append(Ssl ? "true" : "false");
        sb.Append(",connectTimeout=").Append((long)ConnectTimeout.TotalMilliseconds);
        sb.Append(",syncTimeout=").Append((long)SyncTimeout.TotalMilliseconds);
        if (DefaultDatabase != 0) sb.Append(",defaultDatabase=").Append(DefaultDatabase);
        if (ClientName is not null) sb.Append(",name=").Append(ClientName);
        if (Protocol is { } p) sb.Append(",protocol=resp").Append((int)p);
        if (Cluster) sb.Append(",cluster=true");
        return sb.ToString();
    }

    private static void ParseEndpoint(string text, MagpieConnectionOptions options)
    {
        string host = text;
        int port = 6379;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0) throw new FormatException($"Bad IPv6 endpoint '{text}'.");
            host = text[1..close];
            if (close + 1 < text.Length)
            {
                if (text[close + 1] != ':') throw new FormatException($"Bad endpoint '{text}'.");
                port = ParseInt("port", text[(close + 2)..]);
            }
        }
        else if (text.LastIndexOf(':') is var colon and > 0)
        {
            host = text[..colon];
            port = ParseInt("port", text[(colon + 1)..]);
        }
        if (port is <= 0 or > 65535) throw new FormatException($"Port out of range in '{text}'.");
        options.Host = host;
        options.Port = port;
    }

    private static bool ParseBool(string name, string value) =>
        bool.TryParse(value, out bool b) ? b : throw new FormatException($"'{name}' must be true or false, got '{value}'.");

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : throw new FormatException($"'{name}' must be an integer, got '{value}'.");

    private static TimeSpan ParseMilliseconds(string name, string value)
    {
        int ms = ParseInt(name, value);
        if (ms <= 0) throw new FormatException($"'{name}' must be positive milliseconds, got '{value}'.");
        return TimeSpan.FromMilliseconds(ms);
    }

    private static RespVersion ParseProtocol(string value) => value.ToLowerInvariant() switch
    {
        "resp2" or "2" => RespVersion.Resp2,
        "resp3" or "3" => RespVersion.Resp3,
        _ => throw new FormatException($"'protocol' must be resp2 or resp3, got '{value}'."),
    };
}
