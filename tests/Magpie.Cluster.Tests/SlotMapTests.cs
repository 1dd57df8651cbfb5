using Magpie.Protocol;

namespace Magpie.Cluster.Tests;

public class SlotMapTests
{
    [Fact(Timeout = 10_000)]
    public async Task Ranges_cover_every_slot_once_in_order()
    {
        await Task.Yield();
        var map = new StaticRing(Nodes.Primaries(3)).ToSlotMap();
        int next = 0;
        foreach (var range in map.Ranges)
        {
            Assert.Equal(next, range.Start);
            Assert.True(range.End >= range.Start);
            for (int slot = range.Start; slot <= range.End; slot++)
                Assert.Same(range.Node, map.OwnerOf(slot));
            next = range.End + 1;
        }
        Assert.Equal(HashSlot.Count, next);
        Assert.Equal(HashSlot.Count, map.Ranges.Sum(r => r.Count));
    }

    [Fact(Timeout = 10_000)]
    public async Task Adjacent_ranges_have_different_owners()
    {
        await Task.Yield();
        var ranges = new StaticRing(Nodes.Primaries(3)).ToSlotMap().Ranges;
        for (int i = 1; i < ranges.Count; i++)
            Assert.NotEqual(ranges[i - 1].Node.Id, ranges[i].Node.Id);
    }

    [Fact(Timeout = 10_000)]
    public async Task Key_owner_is_the_owner_of_its_hash_slot_and_hash_tags_colocate()
    {
        await Task.Yield();
        var map = new StaticRing(Nodes.Primaries(3)).ToSlotMap();
        Assert.Same(map.OwnerOf(HashSlot.Of("user:42")), map.OwnerOfKey("user:42"));
        Assert.Same(map.OwnerOfKey("{user:42}:name"), map.OwnerOfKey("{user:42}:email"));
        Assert.Same(map.OwnerOfKey("k"u8), map.OwnerOfKey("k"));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_map_can_be_built_from_stored_owners()
    {
        await Task.Yield();
        var a = Nodes.Primary(1);
        var b = Nodes.Primary(2);
        var owners = new NodeInfo?[HashSlot.Count];
        for (int slot = 0; slot < 100; slot++) owners[slot] = a;
        for (int slot = 100; slot < HashSlot.Count; slot++) owners[slot] = b;

        var map = new SlotMap(owners, [a, b]);

        Assert.Equal([new SlotRange(0, 99, a), new SlotRange(100, HashSlot.Count - 1, b)], map.Ranges);
        owners[0] = b; // the map took a copy
        Assert.Same(a, map.OwnerOf(0));
        Assert.Throws<ArgumentException>(() => new SlotMap(new NodeInfo?[10], [a]));
    }
}
