using Magpie.Protocol;

namespace Magpie.Cluster.Tests;

public class StaticRingTests
{
    [Fact(Timeout = 10_000)]
    public async Task Same_list_in_any_order_gives_the_same_map()
    {
        await Task.Yield();
        var a = new StaticRing(Nodes.Primaries(5)).ToSlotMap();
        var b = new StaticRing(Nodes.Primaries(5).Reverse()).ToSlotMap();
        for (int slot = 0; slot < HashSlot.Count; slot++)
            Assert.Equal(a.OwnerOf(slot)!.Id, b.OwnerOf(slot)!.Id);
    }

    [Fact(Timeout = 10_000)]
    public async Task Every_slot_has_an_owner_and_shares_are_balanced()
    {
        await Task.Yield();
        var map = new StaticRing(Nodes.Primaries(3)).ToSlotMap();
        int total = 0;
        foreach (var node in Nodes.Primaries(3))
        {
            int count = map.SlotCountOf(node.Id);
            Assert.InRange(count / (double)HashSlot.Count, 0.25, 0.42);
            total += count;
        }
        Assert.Equal(HashSlot.Count, total);
    }

    [Fact(Timeout = 10_000)]
    public async Task Going_from_three_to_four_nodes_moves_about_a_quarter_and_only_to_the_new_node()
    {
        await Task.Yield();
        var before = new StaticRing(Nodes.Primaries(3)).ToSlotMap();
        var after = new StaticRing(Nodes.Primaries(4)).ToSlotMap();
        int moved = 0;
        for (int slot = 0; slot < HashSlot.Count; slot++)
        {
            if (before.OwnerOf(slot)!.Id == after.OwnerOf(slot)!.Id) continue;
            moved++;
            Assert.Equal("node-4", after.OwnerOf(slot)!.Id);
        }
        Assert.InRange(moved / (double)HashSlot.Count, 0.15, 0.35);
    }

    [Fact(Timeout = 10_000)]
    public async Task Removing_a_node_moves_only_that_nodes_slots()
    {
        await Task.Yield();
        var before = new StaticRing(Nodes.Primaries(4)).ToSlotMap();
        var after = new StaticRing(Nodes.Primaries(4).Where(n => n.Id != "node-2")).ToSlotMap();
        for (int slot = 0; slot < HashSlot.Count; slot++)
        {
            string was = before.OwnerOf(slot)!.Id;
            if (was == "node-2") Assert.NotEqual("node-2", after.OwnerOf(slot)!.Id);
            else Assert.Equal(was, after.OwnerOf(slot)!.Id);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task Gateways_own_no_slots()
    {
        await Task.Yield();
        var gateway = new NodeInfo("gw", "127.0.0.1:7100", Role: NodeRole.Gateway);
        var ring = new StaticRing(Nodes.Primaries(2).Append(gateway));
        var map = ring.ToSlotMap();
        Assert.Equal(0, map.SlotCountOf("gw"));
        Assert.Equal(3, map.Nodes.Count);
        Assert.Equal(2, ring.Primaries.Count);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_ring_without_primaries_has_no_owners()
    {
        await Task.Yield();
        var ring = new StaticRing([new NodeInfo("gw", "127.0.0.1:7100", Role: NodeRole.Gateway)]);
        Assert.Null(ring.OwnerOf(0));
        Assert.Empty(ring.ToSlotMap().Ranges);
    }

    [Fact(Timeout = 10_000)]
    public async Task Effective_owner_skips_down_nodes_and_matches_the_ring_without_them()
    {
        await Task.Yield();
        var ring = new StaticRing(Nodes.Primaries(4));
        var withoutThree = new StaticRing(Nodes.Primaries(4).Where(n => n.Id != "node-3")).ToSlotMap();
        var effective = ring.ToSlotMap(n => n.Id != "node-3");
        for (int slot = 0; slot < HashSlot.Count; slot++)
            Assert.Equal(withoutThree.OwnerOf(slot)!.Id, effective.OwnerOf(slot)!.Id);
        Assert.Null(ring.EffectiveOwnerOf(0, _ => false));
    }

    [Fact(Timeout = 10_000)]
    public async Task Duplicate_ids_are_rejected()
    {
        await Task.Yield();
        Assert.Throws<ArgumentException>(() => new StaticRing([Nodes.Primary(1), Nodes.Primary(1)]));
    }
}
