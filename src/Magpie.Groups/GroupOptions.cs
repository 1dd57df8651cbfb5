namespace Magpie.Groups;

/// <summary>
/// One group's configuration, bindable from magpie.json <c>"Groups": [ { "Name": "scores", "MaxBytes": 67108864,
/// "DefaultTtl": "00:05:00", "Origin": "http://127.0.0.1:9000/scores/{key}" } ]</c>.
/// </summary>
public sealed class GroupOptions
{
    /// <summary>The group's name, unique on the node (ordinal, case-sensitive).</summary>
    public string Name { get; set; } = "";

    /// <summary>Byte budget of the group on this node: main cache plus hot cache.</summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Time-to-live of entries whose loader or writer gives none; null keeps them until evicted.</summary>
    public TimeSpan? DefaultTtl { get; set; }

    /// <summary>Share of <see cref="MaxBytes"/> for hot copies of keys other nodes own (0 turns the hot cache off).</summary>
    public double HotCacheShare { get; set; } = 0.125;

    /// <summary>
    /// Longest a hot copy is kept (shorter when the owner's TTL is). Writes invalidate hot copies at
    /// once; this bounds how stale a copy can get on a node that missed an invalidation.
    /// </summary>
    public TimeSpan HotCacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A load that has not finished after this long fails with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan LoaderTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// No request waits longer than this for a peer; a peer that takes longer is reported failed and
    /// the request is served locally. A peer's answer can include its own load, so this must exceed
    /// <see cref="LoaderTimeout"/>: otherwise a healthy owner with a slow origin would be failed over.
    /// </summary>
    public TimeSpan PeerTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Server mode: URL template of an HTTP origin, with <c>{key}</c> (and optionally <c>{group}</c>)
    /// replaced by the URL-escaped key; see <see cref="Origin.HttpOriginLoader"/>.
    /// </summary>
    public string? Origin { get; set; }

    /// <summary>What is wrong with these options; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        string who = string.IsNullOrEmpty(Name) ? "Group" : $"Group '{Name}'";
        if (string.IsNullOrWhiteSpace(Name)) errors.Add("Group: Name is required.");
        if (MaxBytes <= 0) errors.Add($"{who}: MaxBytes must be positive.");
        if (DefaultTtl is { } ttl && ttl <= TimeSpan.Zero) errors.Add($"{who}: DefaultTtl must be positive when set.");
        if (double.IsNaN(HotCacheShare) || HotCacheShare < 0 || HotCacheShare >= 1) errors.Add($"{who}: HotCacheShare must be in [0, 1).");
        if (HotCacheTtl <= TimeSpan.Zero) errors.Add($"{who}: HotCacheTtl must be positive.");
        if (LoaderTimeout <= TimeSpan.Zero) errors.Add($"{who}: LoaderTimeout must be positive.");
        if (PeerTimeout <= LoaderTimeout) errors.Add($"{who}: PeerTimeout must be longer than LoaderTimeout (an owner's answer may include its load).");
        if (Origin is not null && !Groups.Origin.HttpOriginLoader.IsValidTemplate(Origin, out var why)) errors.Add($"{who}: Origin {why}");
        return errors;
    }

    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
    }
}
