namespace Magpie.Client.Caching.Lfu;

/// <summary>
/// W-TinyLFU eviction (as in Caffeine): new entries land in a small LRU window (1%); entries leaving
/// the window compete with the main cache's coldest entry and are admitted only if the frequency
/// sketch says they are used more often. The main cache is a segmented LRU: probation (20%) and
/// protected (80%); a second hit in probation promotes. Not thread-safe: the owner holds a lock.
/// </summary>
internal sealed class WTinyLfuPolicy
{
    private readonly LruList _window = new(Region.Window);
    private readonly LruList _probation = new(Region.Probation);
    private readonly LruList _protected = new(Region.Protected);
    private readonly CountMinSketch _sketch;
    private readonly long _maxWindow;
    private readonly long _maxProtected;

    public WTinyLfuPolicy(long maximumWeight, long expectedCount)
    {
        MaximumWeight = Math.Max(1, maximumWeight);
        _maxWindow = Math.Max(1, MaximumWeight / 100);
        _maxProtected = (long)((MaximumWeight - _maxWindow) * 0.8);
        _sketch = new CountMinSketch(expectedCount);
    }

    public long MaximumWeight { get; }

    public long TotalWeight => _window.Weight + _probation.Weight + _protected.Weight;

    public int Count => _window.Count + _probation.Count + _protected.Count;

    public int Frequency(string key) => _sketch.Frequency(key.GetHashCode());

    /// <summary>Records a new entry; fills <paramref name="evicted"/> with what had to go to make room.</summary>
    public void OnAdd(LfuNode node, List<LfuNode> evicted)
    {
        _sketch.Increment(node.Hash);
        _window.AddFirst(node);
        // Overflowing window entries become probation candidates; admission happens in Evict.
        while (_window.Weight > _maxWindow && _window.Tail is { } oldest && oldest != node)
        {
            _window.Remove(oldest);
            _probation.AddFirst(oldest);
        }
        Evict(evicted);
    }

    public void OnAccess(LfuNode node)
    {
        _sketch.Increment(node.Hash);
        switch (node.Region)
        {
            case Region.Window:
                _window.MoveToFront(node);
                break;
            case Region.Probation:
                _probation.Remove(node);
                _protected.AddFirst(node);
                // Keep protected within its share by demoting its coldest entries back to probation.
                while (_protected.Weight > _maxProtected && _protected.Tail is { } demoted && demoted != node)
                {
                    _protected.Remove(demoted);
                    _probation.AddFirst(demoted);
                }
                break;
            case Region.Protected:
                _protected.MoveToFront(node);
                break;
        }
    }

    /// <summary>An entry's weight changed (value replaced); counts as an access.</summary>
    public void OnUpdate(LfuNode node, long newWeight, List<LfuNode> evicted)
    {
        ListOf(node.Region)?.Reweigh(newWeight - node.Weight);
        node.Weight = newWeight;
        OnAccess(node);
        Evict(evicted);
    }

    public void OnRemove(LfuNode node) => ListOf(node.Region)?.Remove(node);

    public void Clear()
    {
        foreach (var list in new[] { _window, _probation, _protected })
            while (list.Tail is { } node) list.Remove(node);
    }

    /// <summary>
    /// While over budget: the newest probation entry (a candidate just out of the window) duels the
    /// oldest (the victim); the less frequent one goes. Entries heavier than the whole cache go at once.
    /// </summary>
    private void Evict(List<LfuNode> evicted)
    {
        while (TotalWeight > MaximumWeight)
        {
            var victim = _probation.Tail ?? _protected.Tail ?? _window.Tail!;
            var candidate = _probation.Head;
            LfuNode loser;
            if (victim.Region != Region.Probation || candidate is null || candidate == victim)
                loser = victim;
            else
                loser = _sketch.Frequency(candidate.Hash) > _sketch.Frequency(victim.Hash) ? victim : candidate;
            ListOf(loser.Region)!.Remove(loser);
            evicted.Add(loser);
        }
    }

    private LruList? ListOf(Region region) => region switch
    {
        Region.Window => _window,
        Region.Probation => _probation,
        Region.Protected => _protected,
        _ => null,
    };
}
