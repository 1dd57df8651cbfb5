using Magpie.Protocol;

namespace Magpie.Server.Tests;

public class TrackingCommandTests
{
    private readonly TestClient reader = new();
    private readonly TestClient writer;
    private readonly TestClient listener;

    public TrackingCommandTests()
    {
        writer = new TestClient(reader.Server);
        listener = new TestClient(reader.Server);
        reader.Session.Protocol = RespVersion.Resp3;
    }

    private static string Invalidate(params string[] keys) => ">2\r\n" + Bulk("invalidate") + Bulks(keys);

    private const string InvalidateAll = ">2\r\n$10\r\ninvalidate\r\n_\r\n";

    [Fact]
    public void Default_mode_invalidates_a_read_key_once_when_it_changes()
    {
        writer.Run("SET", "k", "v1");
        Assert.Equal(Ok, reader.Run("CLIENT", "TRACKING", "ON"));
        Assert.Equal(Bulk("v1"), reader.Run("GET", "k"));
        Assert.Equal(Ok, writer.Run("SET", "k", "v2"));
        Assert.Equal(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n", reader.TakeOutput());
        // Forgotten after one invalidation until read again.
        writer.Run("SET", "k", "v3");
        Assert.Equal("", reader.TakeOutput());
        reader.Run("GET", "k");
        writer.Run("DEL", "k");
        Assert.Equal(Invalidate("k"), reader.TakeOutput());
        Assert.Equal(1, reader.Server.TrackingClients());
        Assert.Contains("tracking_clients:1", writer.Run("INFO", "clients"));
    }

    [Fact]
    public void Keys_not_read_and_missing_reads_follow_redis()
    {
        reader.Run("CLIENT", "TRACKING", "ON");
        writer.Run("SET", "unread", "x");
        Assert.Equal("", reader.TakeOutput());
        // Reading a missing key tracks it too: its creation invalidates.
        reader.Run("GET", "later");
        writer.Run("SET", "later", "x");
        Assert.Equal(Invalidate("later"), reader.TakeOutput());
        // Every key of a multi-key read is tracked.
        reader.Run("MGET", "a", "b");
        writer.Run("SET", "b", "1");
        writer.Run("SET", "a", "1");
        Assert.Equal(Invalidate("b") + Invalidate("a"), reader.TakeOutput());
        // Writes are not reads.
        reader.Run("SET", "w", "1");
        writer.Run("SET", "w", "2");
        Assert.Equal("", reader.TakeOutput());
    }

    [Fact]
    public void Own_writes_invalidate_unless_noloop()
    {
        reader.Run("CLIENT", "TRACKING", "ON");
        reader.Run("GET", "k");
        Assert.Equal(Invalidate("k") + Ok, reader.Run("SET", "k", "1"));
        Assert.Equal(Ok, reader.Run("CLIENT", "TRACKING", "ON", "NOLOOP"));
        reader.Run("GET", "k");
        Assert.Equal(Ok, reader.Run("SET", "k", "2"));
        writer.Run("SET", "k", "3");
        Assert.Equal("", reader.TakeOutput());
        reader.Run("GET", "k");
        writer.Run("SET", "k", "4");
        Assert.Equal(Invalidate("k"), reader.TakeOutput());
    }

    [Fact]
    public void Bcast_sends_for_every_key_under_a_prefix_without_reads()
    {
        Assert.Equal(Ok, reader.Run("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "cfg:"));
        writer.Run("SET", "user:1", "a");
        writer.Run("SET", "other", "a");
        writer.Run("SET", "cfg:x", "a");
        Assert.Equal(Invalidate("user:1") + Invalidate("cfg:x"), reader.TakeOutput());
        // Reads are not remembered in BCAST mode.
        reader.Run("GET", "other");
        writer.Run("SET", "other", "b");
        Assert.Equal("", reader.TakeOutput());
        Assert.Equal("%3\r\n" + Bulk("flags") + "~2\r\n" + Bulk("on") + Bulk("bcast") + Bulk("redirect") + Int(0) + Bulk("prefixes") + Bulks("user:", "cfg:"),
            reader.Run("CLIENT", "TRACKINGINFO"));
    }

    [Fact]
    public void Bcast_without_prefix_covers_every_key_and_noloop_skips_own_writes()
    {
        reader.Run("CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP");
        writer.Run("SET", "any", "1");
        Assert.Equal(Invalidate("any"), reader.TakeOutput());
        Assert.Equal(Ok, reader.Run("SET", "mine", "1"));
    }

    [Fact]
    public void Optin_tracks_only_after_caching_yes_for_the_next_command()
    {
        reader.Run("CLIENT", "TRACKING", "ON", "OPTIN");
        reader.Run("GET", "a");
        writer.Run("SET", "a", "1");
        Assert.Equal("", reader.TakeOutput());
        Assert.Equal(Ok, reader.Run("CLIENT", "CACHING", "YES"));
        reader.Run("GET", "b");
        reader.Run("GET", "c");
        writer.Run("SET", "c", "1");
        writer.Run("SET", "b", "1");
        Assert.Equal(Invalidate("b"), reader.TakeOutput());
        Assert.Equal(Err("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."), reader.Run("CLIENT", "CACHING", "NO"));
    }

    [Fact]
    public void Optout_tracks_everything_except_after_caching_no()
    {
        reader.Run("CLIENT", "TRACKING", "ON", "OPTOUT");
        Assert.Equal(Ok, reader.Run("CLIENT", "CACHING", "NO"));
        reader.Run("GET", "skipped");
        reader.Run("GET", "kept");
        writer.Run("SET", "skipped", "1");
        writer.Run("SET", "kept", "1");
        Assert.Equal(Invalidate("kept"), reader.TakeOutput());
        Assert.Equal(Err("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."), reader.Run("CLIENT", "CACHING", "YES"));
    }

    [Fact]
    public void Redirect_to_a_resp2_subscriber_arrives_as_a_message_on_the_invalidate_channel()
    {
        var id = listener.Run("CLIENT", "ID").Trim(':', '\r', '\n');
        listener.Run("SUBSCRIBE", "__redis__:invalidate");
        reader.Session.Protocol = RespVersion.Resp2;
        Assert.Equal(Ok, reader.Run("CLIENT", "TRACKING", "ON", "REDIRECT", id));
        Assert.Equal(Int(long.Parse(id)), reader.Run("CLIENT", "GETREDIR"));
        reader.Run("GET", "k");
        writer.Run("SET", "k", "1");
        Assert.Equal("", reader.TakeOutput());
        Assert.Equal(Array(Bulk("message"), Bulk("__redis__:invalidate"), Bulks("k")), listener.TakeOutput());
        Assert.Contains($"redir={id}", reader.Run("CLIENT", "INFO"));
        // FLUSHALL: a null instead of the key list.
        reader.Run("GET", "k");
        writer.Run("FLUSHALL");
        Assert.Equal(Array(Bulk("message"), Bulk("__redis__:invalidate"), Nil), listener.TakeOutput());
    }

    [Fact]
    public void Redirect_to_a_resp3_client_is_a_push_and_a_gone_target_is_reported()
    {
        listener.Session.Protocol = RespVersion.Resp3;
        var id = listener.Run("CLIENT", "ID").Trim(':', '\r', '\n');
        reader.Run("CLIENT", "TRACKING", "ON", "REDIRECT", id);
        reader.Run("GET", "k");
        writer.Run("SET", "k", "1");
        Assert.Equal(Invalidate("k"), listener.TakeOutput());
        lock (reader.Server.Keyspace.Sync)
        {
            reader.Server.Clients.Remove(listener.Session);
            reader.Server.OnClientDisconnected(listener.Session);
        }
        reader.Run("GET", "k");
        writer.Run("SET", "k", "2");
        Assert.Equal(">2\r\n" + Bulk("tracking-redir-broken") + Int(long.Parse(id)), reader.TakeOutput());
        Assert.Contains("broken_redirect", reader.Run("CLIENT", "TRACKINGINFO"));
    }

    [Fact]
    public void Resp2_client_without_redirect_gets_nothing()
    {
        reader.Session.Protocol = RespVersion.Resp2;
        reader.Run("CLIENT", "TRACKING", "ON");
        reader.Run("GET", "k");
        writer.Run("SET", "k", "1");
        Assert.Equal("", reader.TakeOutput());
    }

    [Fact]
    public void Flush_sends_a_null_invalidation_to_every_tracking_client_and_forgets_keys()
    {
        var bcast = new TestClient(reader.Server);
        bcast.Session.Protocol = RespVersion.Resp3;
        bcast.Run("CLIENT", "TRACKING", "ON", "BCAST");
        reader.Run("CLIENT", "TRACKING", "ON");
        writer.Run("SET", "k", "1");
        bcast.TakeOutput();
        reader.Run("GET", "k");
        Assert.Equal(Ok, writer.Run("FLUSHDB"));
        Assert.Equal(InvalidateAll, reader.TakeOutput());
        Assert.Equal(InvalidateAll, bcast.TakeOutput());
        Assert.Equal(0, reader.Server.Tracking.TrackedKeyCount);
        writer.Run("SET", "k", "2");
        Assert.Equal("", reader.TakeOutput());
    }

    [Fact]
    public void Expiry_invalidates_like_a_write()
    {
        reader.Run("CLIENT", "TRACKING", "ON");
        writer.Run("SET", "k", "1");
        reader.Run("GET", "k");
        writer.Run("EXPIRE", "k", "0");
        Assert.Equal(Invalidate("k"), reader.TakeOutput());
    }

    [Fact]
    public void Tracking_off_reset_and_getredir_trackinginfo_defaults()
    {
        Assert.Equal(Int(-1), reader.Run("CLIENT", "GETREDIR"));
        Assert.Equal("%3\r\n" + Bulk("flags") + "~1\r\n" + Bulk("off") + Bulk("redirect") + Int(-1) + Bulk("prefixes") + "*0\r\n", reader.Run("CLIENT", "TRACKINGINFO"));
        reader.Run("CLIENT", "TRACKING", "ON", "OPTIN", "NOLOOP");
        Assert.Equal(Int(0), reader.Run("CLIENT", "GETREDIR"));
        reader.Run("CLIENT", "CACHING", "YES");
        Assert.Equal("%3\r\n" + Bulk("flags") + "~4\r\n" + Bulk("on") + Bulk("optin") + Bulk("caching-yes") + Bulk("noloop") + Bulk("redirect") + Int(0) + Bulk("prefixes") + "*0\r\n",
            reader.Run("CLIENT", "TRACKINGINFO"));
        reader.Run("GET", "k");
        Assert.Equal(Ok, reader.Run("CLIENT", "TRACKING", "OFF"));
        Assert.Equal(Int(-1), reader.Run("CLIENT", "GETREDIR"));
        writer.Run("SET", "k", "1");
        Assert.Equal("", reader.TakeOutput());
        reader.Run("CLIENT", "TRACKING", "ON");
        Assert.Equal("+RESET\r\n", reader.Run("RESET"));
        Assert.Equal(Int(-1), reader.Run("CLIENT", "GETREDIR"));
        Assert.Equal(0, reader.Server.TrackingClients());
    }

    [Fact]
    public void Option_errors_match_redis()
    {
        Assert.Equal(Err("ERR syntax error"), reader.Run("CLIENT", "TRACKING", "maybe"));
        Assert.Equal(Err("ERR syntax error"), reader.Run("CLIENT", "TRACKING", "ON", "BOGUS"));
        Assert.Equal(Err("ERR PREFIX option requires BCAST mode to be enabled"), reader.Run("CLIENT", "TRACKING", "ON", "PREFIX", "a"));
        Assert.Equal(Err("ERR OPTIN and OPTOUT are not compatible with BCAST"), reader.Run("CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"));
        Assert.Equal(Err("ERR You can't use both OPTIN and OPTOUT options"), reader.Run("CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"));
        Assert.Equal(Err("ERR The client ID you want redirect to does not exist"), reader.Run("CLIENT", "TRACKING", "ON", "REDIRECT", "9999"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), reader.Run("CLIENT", "TRACKING", "ON", "REDIRECT", "x"));
        Assert.Equal(Err("ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap."),
            reader.Run("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"));
        Assert.Equal(Err("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"), reader.Run("CLIENT", "CACHING", "YES"));
        reader.Run("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "abc");
        Assert.Equal(Err("ERR Prefix 'ab' overlaps with an existing prefix 'abc'. Prefixes for a single client must not overlap."),
            reader.Run("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab"));
        Assert.Equal(Err("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."),
            reader.Run("CLIENT", "TRACKING", "ON"));
        reader.Run("CLIENT", "TRACKING", "OFF");
        reader.Run("CLIENT", "TRACKING", "ON", "OPTIN");
        Assert.Equal(Err("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."),
            reader.Run("CLIENT", "TRACKING", "ON", "OPTOUT"));
        Assert.Equal(Err("ERR syntax error"), reader.Run("CLIENT", "CACHING", "maybe"));
        Assert.Equal(Err("ERR wrong number of arguments for 'client|tracking' command"), reader.Run("CLIENT", "TRACKING"));
    }

    [Fact]
    public void Invalidations_count_towards_the_normal_class_output_limit()
    {
        writer.Run("CONFIG", "SET", "client-output-buffer-limit", "normal 64 0 0");
        reader.Run("CLIENT", "TRACKING", "ON");
        reader.Run("GET", "k");
        // The reader's loop flushed and its peer read everything so far.
        reader.Session.OutputConsumedMark = reader.Session.Writer.BytesWritten;
        writer.Run("SET", "k", "1");
        Assert.False(reader.Session.Closing);
        reader.Run("GET", "k");
        writer.Run("SET", "k", "2");
        Assert.True(reader.Session.Closing);
        Assert.Contains("client_output_buffer_limit_disconnections:1", writer.Run("INFO", "stats"));
    }
}
