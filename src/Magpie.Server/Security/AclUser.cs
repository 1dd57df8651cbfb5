using System.Security.Cryptography;
using System.Text;
using Magpie.Server.Commands;

namespace Magpie.Server.Security;

/// <summary>An ACL user: on/off, passwords (stored as SHA-256 hex, as Redis does), a root selector and extra selectors.</summary>
public sealed class AclUser
{
    private readonly CommandTable _table;

    public AclUser(string name, CommandTable table)
    {
        Name = name;
        _table = table;
        Root = new AclSelector(table);
    }

    public string Name { get; }

    public bool Enabled { get; private set; }

    public bool NoPass { get; private set; }

    /// <summary>SHA-256 hex digests, in the order they were added.</summary>
    public List<string> Passwords { get; } = [];

    public AclSelector Root { get; private set; }

    public List<AclSelector> Selectors { get; } = [];

    /// <summary>Allows everything with every password (or none): the default user's state out of the box.</summary>
    public bool Unrestricted => Root.Unrestricted;

    public static string Hash(string password) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)));

    public bool CheckPassword(string password)
    {
        if (!Enabled) return false;
        if (NoPass) return true;
        var hash = Hash(password);
        foreach (var p in Passwords)
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(p), Encoding.ASCII.GetBytes(hash))) return true;
        return false;
    }

    /// <summary>Applies the rules of an ACL SETUSER, all or nothing; returns Redis's error text or null.</summary>
    public string? ApplyAll(IReadOnlyList<string> rules)
    {
        // Work on a copy so a bad rule leaves the user as it was, as Redis does.
        var copy = Clone();
        var grouped = GroupSelectors(rules, out var error);
        if (error is not null) return error;
        foreach (var rule in grouped)
        {
            var problem = copy.Apply(rule);
            if (problem is not null) return $"Error in ACL SETUSER modifier '{rule}': {problem}";
        }
        Enabled = copy.Enabled;
        NoPass = copy.NoPass;
        Passwords.Clear();
        Passwords.AddRange(copy.Passwords);
        Root = copy.Root;
        Selectors.Clear();
        Selectors.AddRange(copy.Selectors);
        return null;
    }

    /// <summary>Joins "(a" "b)" back into one selector rule, as Redis's ACLMergeSelectorArguments.</summary>
    private static List<string> GroupSelectors(IReadOnlyList<string> rules, out string? error)
    {
        error = null;
        var merged = new List<string>();
        StringBuilder? open = null;
        string? openStart = null;
        foreach (var rule in rules)
        {
            if (open is null && rule.StartsWith('(') && !rule.EndsWith(')'))
            {
                open = new StringBuilder(rule);
                openStart = rule;
            }
            else if (open is not null)
            {
                open.Append(' ').Append(rule);
                if (rule.EndsWith(')'))
                {
                    merged.Add(open.ToString());
                    open = null;
                }
            }
            else merged.Add(rule);
        }
        if (open is not null) error = $"Unmatched parenthesis in acl selector starting at '{openStart}'.";
        return merged;
    }

    private AclUser Clone()
    {
        var copy = new AclUser(Name, _table) { Enabled = Enabled, NoPass = NoPass, Root = Root.Clone() };
        copy.Passwords.AddRange(Passwords);
        copy.Selectors.AddRange(Selectors.Select(s => s.Clone()));
        return copy;
    }

    private string? Apply(string rule)
    {
        var lower = rule.ToLowerInvariant();
        switch (lower)
        {
            case "on":
                Enabled = true;
                return null;
            case "off":
                Enabled = false;
                return null;
            case "nopass":
                NoPass = true;
                Passwords.Clear();
                return null;
            case "resetpass":
                NoPass = false;
                Passwords.Clear();
                return null;
            case "clearselectors":
                Selectors.Clear();
                return null;
            case "skip-sanitize-payload":
            case "sanitize-payload":
                return null; // RESTORE payload checks: accepted, Magpie always validates payloads
            case "reset":
                NoPass = false;
                Passwords.Clear();
                Enabled = false;
                Selectors.Clear();
                Root = new AclSelector(_table);
                Root.Apply("resetkeys");
                Root.Apply("resetchannels");
                Root.Apply("-@all");
                return null;
        }
        if (rule.StartsWith('>'))
        {
            AddHash(Hash(rule[1..]));
            return null;
        }
        if (rule.StartsWith('#'))
        {
            var hash = rule[1..];
            if (!IsHash(hash)) return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
            AddHash(hash);
            return null;
        }
        if (rule.StartsWith('<') || rule.StartsWith('!'))
        {
            var hash = rule[0] == '<' ? Hash(rule[1..]) : rule[1..];
            if (rule[0] == '!' && !IsHash(hash)) return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
            if (!Passwords.Remove(hash)) return "The password you are trying to remove from the user does not exist";
            return null;
        }
        if (rule.StartsWith('(') && rule.EndsWith(')'))
        {
            var selector = new AclSelector(_table);
            foreach (var part in rule[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var problem = selector.Apply(part);
                if (problem is not null) return problem;
            }
            Selectors.Add(selector);
            return null;
        }
        return Root.Apply(rule);
    }

    private void AddHash(string hash)
    {
        NoPass = false;
        if (!Passwords.Contains(hash)) Passwords.Add(hash);
    }

    private static bool IsHash(string s) => s.Length == 64 && s.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>
    /// Checks a call against the root selector and every other one; when all refuse, the most relevant
    /// refusal (channel over key over command, later argument over earlier), as Redis reports it.
    /// </summary>
    public AclDenial Check(CommandSpec spec, Protocol.RespRequest request, out int index)
    {
        var worst = Root.Check(spec, request, out index);
        if (worst == AclDenial.None) return worst;
        foreach (var selector in Selectors)
        {
            var result = selector.Check(spec, request, out int at);
            if (result == AclDenial.None)
            {
                index = 0;
                return result;
            }
            if (result > worst || (result == worst && at > index))
            {
                worst = result;
                index = at;
            }
        }
        return worst;
    }

    public IEnumerable<string> Flags()
    {
        yield return Enabled ? "on" : "off";
        if (NoPass) yield return "nopass";
    }

    /// <summary>The ACL LIST / ACL file line.</summary>
    public string Describe()
    {
        var sb = new StringBuilder("user ").Append(Name);
        foreach (var flag in Flags()) sb.Append(' ').Append(flag);
        foreach (var p in Passwords) sb.Append(" #").Append(p);
        sb.Append(' ').Append(Root.Describe());
        foreach (var s in Selectors) sb.Append(" (").Append(s.Describe()).Append(')');
        return sb.ToString();
    }
}
