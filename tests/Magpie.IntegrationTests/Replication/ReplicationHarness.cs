using System.Net.Sockets;
using System.Text;
using Magpie.IntegrationTests.Infrastructure;

namespace Magpie.IntegrationTests.Replication;

/// <summary>Replication tests start several processes each and wait on links; they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReplicationCollection
{
    public const string Name = "Replication processes";
}

/// <summary>Helpers shared by the replication tests: a pipelined write load, INFO fields, waiting, dataset comparison.</summary>
internal static class ReplicationHarness
{
    /// <summary>Databases the load writes to.</summary>
    public static readonly int[] Databases = [0, 1, 2];

    /// <summary>Sends commands pipelined in batches and reads every reply; returns the number of error replies.</summary>
    public static async Task<int> PipelineAsync(int port, IEnumerable<object[]> commands, int batch = 2000)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        client.ReceiveTimeout = 60_000;
        var stream = new BufferedStream(client.GetStream(), 1 << 16);
        int errors = 0;
        var pending = new MemoryStream();
        int inBatch = 0;
        foreach (var cmd in commands)
        {
            Encode(pending, cmd);
            if (++inBatch == batch)
            {
                errors += Flush(stream, pending, inBatch);
                inBatch = 0;
            }
        }
        if (inBatch > 0) errors += Flush(stream, pending, inBatch);
        return errors;
    }

    private static int Flush(BufferedStream stream, MemoryStream pending, int count)
    {
        stream.Write(pending.GetBuffer(), 0, (int)pending.Length);
        stream.Flush();
        pending.SetLength(0);
        int errors = 0;
        for (int i = 0; i < count; i++) if (SkipReply(stream)) errors++;
        return errors;
    }

    private static void Encode(MemoryStream ms, object[] args)
    {
        void W(string s) => ms.Write(Encoding.ASCII.GetBytes(s));
        W($"*{args.Length}\r\n");
        foreach (var a in args)
        {
            var bytes = a as byte[] ?? Encoding.UTF8.GetBytes(Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture)!);
            W($"${bytes.Length}\r\n");
            ms.Write(bytes);
            W("\r\n");
        }
    }

    /// <summary>Reads one reply; true when it was an error.</summary>
    private static bool SkipReply(Stream s)
    {
        int type = s.ReadByte();
        var line = ReadLine(s);
        switch (type)
        {
            case '-': return true;
            case '$':
                int len = int.Parse(line);
                if (len >= 0)
                {
                    var buf = new byte[len + 2];
                    s.ReadExactly(buf);
                }
                return false;
            case '*':
                int n = int.Parse(line);
                for (int i = 0; i < n; i++) SkipReply(s);
                return false;
            default: return false;
        }
    }

    private static string ReadLine(Stream s)
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = s.ReadByte();
            if (b < 0) throw new EndOfStreamException();
            if (b == '\r')
            {
                s.ReadByte();
                return sb.ToString();
            }
            sb.Append((char)b);
        }
    }

    /// <summary>Every type in several encodings, with TTLs, in databases 0 and 1 (no streams: Magpie's RDB has no stream encoding yet).</summary>
    public static IEnumerable<object[]> Dataset()
    {
        foreach (int db in new[] { 0, 1 })
        {
            yield return ["SELECT", db];
            foreach (var (_, _, build) in DumpRestoreTests.DataSet())
                foreach (var cmd in build) yield return cmd;
            yield return ["PFADD", "hll", "a", "b", "c", "d"];
            yield return ["SETBIT", "bits", "1000", "1"];
            yield return ["GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"];
            yield return ["SET", "ttl:str", "v", "EX", "1000"];
            yield return ["HSET", "ttl:hash", "f", "v"];
            yield return ["PEXPIRE", "ttl:hash", "900000"];
        }
        yield return ["SELECT", 0];
    }

    /// <summary>
    /// A deterministic mix of writes over a few thousand keys in three databases: strings, counters,
    /// lists, hashes, sets, sorted sets, TTLs set and removed, deletes, and keys that expire at once.
    /// Only commands whose effect does not depend on the node (no SPOP, no random members).
    /// </summary>
    public static IEnumerable<object[]> MixedWrites(int count, int seed)
    {
        var rnd = new Random(seed);
        int db = 0;
        yield return ["SELECT", 0];
        for (int i = 0; i < count; i++)
        {
            if (rnd.Next(200) == 0)
            {
                db = Databases[rnd.Next(Databases.Length)];
                yield return ["SELECT", db];
                continue;
            }
            int k = rnd.Next(1500);
            switch (rnd.Next(16))
            {
                case 0: yield return ["SET", $"s:{k}", $"v{i}"]; break;
                case 1: yield return ["SET", $"s:{k}", $"t{i}", "EX", 500 + rnd.Next(500)]; break;
                case 2: yield return ["INCRBY", $"n:{k}", rnd.Next(-5, 10)]; break;
                case 3: yield return ["APPEND", $"s:{k}", "+"]; break;
                case 4: yield return ["DEL", $"s:{rnd.Next(1500)}"]; break;
                case 5: yield return ["RPUSH", $"l:{k % 200}", $"e{i}"]; break;
                case 6: yield return ["LPOP", $"l:{k % 200}"]; break;
                case 7: yield return ["HSET", $"h:{k % 300}", $"f{rnd.Next(50)}", $"{i}"]; break;
                case 8: yield return ["HDEL", $"h:{k % 300}", $"f{rnd.Next(50)}"]; break;
                case 9: yield return ["SADD", $"set:{k % 300}", $"{rnd.Next(100)}"]; break;
                case 10: yield return ["SREM", $"set:{k % 300}", $"{rnd.Next(100)}"]; break;
                case 11: yield return ["ZADD", $"z:{k % 300}", rnd.Next(1000) / 8.0, $"m{rnd.Next(60)}"]; break;
                case 12: yield return ["ZINCRBY", $"z:{k % 300}", 1.5, $"m{rnd.Next(60)}"]; break;
                case 13: yield return ["EXPIRE", $"n:{k}", 300 + rnd.Next(300)]; break;
                case 14: yield return ["PERSIST", $"n:{k}"]; break;
                default: yield return ["SET", $"gone:{k}", "x", "PX", 1 + rnd.Next(20)]; break;
            }
        }
        yield return ["SELECT", 0];
    }

    public static string Info(RespClient c, string field)
    {
        var text = c.CallString("INFO", "all");
        foreach (var line in text.Split("\r\n"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal)) return line[(field.Length + 1)..];
        return "";
    }

    public static long InfoLong(RespClient c, string field) => long.TryParse(Info(c, field), out long v) ? v : -1;

    public static async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 30, Func<string>? log = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {seconds}s waiting for {what}\n{log?.Invoke()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the replica's link is up and its offset reached the primary's.</summary>
    public static async Task WaitInSyncAsync(RespClient primary, RespClient replica, Func<string>? log = null, int seconds = 40)
    {
        await WaitUntilAsync(() => Info(replica, "master_link_status") == "up", "the replica's link to come up", seconds, log);
        long p = -1, s = -1;
        await WaitUntilAsync(() =>
        {
            p = InfoLong(primary, "master_repl_offset");
            s = InfoLong(replica, "slave_repl_offset");
            return p >= 0 && s >= p;
        }, "the replica's offset to reach the primary's", seconds, () => $"primary {p}, replica {s}\n{log?.Invoke()}");
    }

    /// <summary>Compares the two datasets key by key: type and value, and TTLs within a second.</summary>
    public static void AssertSameData(RespClient expected, RespClient actual, IEnumerable<int>? databases = null)
    {
        int compared = 0;
        var differences = new List<string>();
        foreach (int db in databases ?? [0, 1, 2])
        {
            expected.Call("SELECT", db);
            actual.Call("SELECT", db);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in new[] { expected, actual })
                foreach (var key in ((object?[])c.Call("KEYS", "*")!).Cast<byte[]>()) keys.Add(Convert.ToBase64String(key));
            foreach (var k in keys)
            {
                var key = Convert.FromBase64String(k);
                var a = DumpRestoreTests.Describe(expected, key);
                var b = DumpRestoreTests.Describe(actual, key);
                if (a != b) differences.Add($"db{db} {Encoding.Latin1.GetString(key)}: primary {Cut(a)} replica {Cut(b)}");
                else if (a.EndsWith("ttl=yes", StringComparison.Ordinal))
                {
                    long ta = (long)expected.Call("PTTL", key)!, tb = (long)actual.Call("PTTL", key)!;
                    if (Math.Abs(ta - tb) > 1000) differences.Add($"db{db} {Encoding.Latin1.GetString(key)}: PTTL {ta} vs {tb}");
                }
                compared++;
            }
        }
        expected.Call("SELECT", 0);
        actual.Call("SELECT", 0);
        Assert.True(differences.Count == 0, $"{differences.Count} of {compared} keys differ:\n{string.Join("\n", differences.Take(20))}");
        Assert.True(compared > 100, $"only {compared} keys compared");
    }

    private static string Cut(string s) => s.Length > 120 ? s[..120] + "..." : s;

    /// <summary>CLIENT LIST's addr of the connection whose last command matches (a replica's link on a Magpie primary).</summary>
    public static string? ClientAddr(RespClient c, params string[] commands)
    {
        foreach (var line in c.CallString("CLIENT", "LIST").Split('\n'))
        {
            var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            if (fields.TryGetValue("cmd", out var cmd) && commands.Contains(cmd)) return fields["addr"];
        }
        return null;
    }
}
