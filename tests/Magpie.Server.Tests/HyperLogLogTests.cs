using System.Text;
using Magpie.Server.Commands.HyperLogLog;

namespace Magpie.Server.Tests;

/// <summary>The HLL representation and register math (the byte-for-byte comparison with Redis is in the differential tests).</summary>
public sealed class HyperLogLogTests
{
    [Fact]
    public void An_empty_hll_is_sparse_xzero_runs_with_a_zero_cache()
    {
        var hll = Hll.CreateEmpty();
        Assert.Equal("HYLL"u8.ToArray(), hll[..4]);
        Assert.Equal(Hll.Sparse, hll[4]);
        Assert.Equal([0x7f, 0xff], hll[16..]);
        Assert.True(Hll.IsValid(hll));
        Assert.True(Hll.CacheValid(hll));
        Assert.Equal(0UL, Hll.Count(hll, out bool invalid));
        Assert.False(invalid);
    }

    [Fact]
    public void Pattern_lengths_are_between_1_and_q_plus_1()
    {
        for (int i = 0; i < 10_000; i++)
        {
            int count = Hll.PatternLength(Encoding.ASCII.GetBytes("e" + i), out int register);
            Assert.InRange(count, 1, Hll.Q + 1);
            Assert.InRange(register, 0, Hll.Registers - 1);
        }
    }

    [Fact]
    public void Sparse_and_dense_forms_count_the_same_and_close_to_the_truth()
    {
        var hll = Hll.CreateEmpty();
        int length = hll.Length;
        for (int i = 0; i < 300; i++) Hll.Add(ref hll, ref length, Encoding.ASCII.GetBytes("member" + i));
        var sparse = hll[..length];
        Assert.Equal(Hll.Sparse, sparse[4]);
        var dense = Hll.SparseToDense(sparse)!;
        Assert.Equal(Hll.DenseSize, dense.Length);
        ulong fromSparse = Hll.Count(sparse, out _), fromDense = Hll.Count(dense, out _);
        Assert.Equal(fromSparse, fromDense);
        Assert.InRange((double)fromSparse, 300 * 0.95, 300 * 1.05);
        var raw = new byte[Hll.Registers];
        Assert.True(Hll.MergeInto(raw, sparse));
        Assert.Equal(fromSparse, Hll.CountRaw(raw));
    }

    [Fact]
    public void Many_elements_promote_to_dense_and_estimate_within_two_percent()
    {
        var hll = Hll.CreateEmpty();
        int length = hll.Length;
        for (int i = 0; i < 100_000; i++) Hll.Add(ref hll, ref length, Encoding.ASCII.GetBytes("x" + i));
        Assert.Equal(Hll.Dense, hll[4]);
        Assert.InRange((double)Hll.Count(hll, out _), 98_000, 102_000);
    }

    [Fact]
    public void Dense_registers_pack_six_bits_each()
    {
        var registers = new byte[Hll.DenseSize - Hll.HeaderSize];
        for (int i = 0; i < Hll.Registers; i++) Hll.SetDenseRegister(registers, i, i % 64);
        for (int i = 0; i < Hll.Registers; i++) Assert.Equal(i % 64, Hll.GetDenseRegister(registers, i));
        Assert.False(Hll.DenseSet(registers, 5, 3));
        Assert.True(Hll.DenseSet(registers, 5, 60));
    }

    [Fact]
    public void The_cache_flag_is_bit_63_of_the_cardinality()
    {
        var hll = Hll.CreateEmpty();
        Hll.SetCachedCardinality(hll, 42);
        Assert.Equal(42UL, Hll.CachedCardinality(hll));
        Hll.InvalidateCache(hll);
        Assert.False(Hll.CacheValid(hll));
        Assert.False(Hll.IsValid("HYLL"u8));
    }
}
