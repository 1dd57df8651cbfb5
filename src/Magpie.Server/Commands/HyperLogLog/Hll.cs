using System.Buffers.Binary;

namespace Magpie.Server.Commands.HyperLogLog;

/// <summary>
/// Redis's HyperLogLog (hyperloglog.c), byte for byte: a 16-byte "HYLL" header (magic, encoding,
/// 3 unused bytes, the cached cardinality little-endian with bit 63 meaning "stale"), then either
/// the sparse opcodes (ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx) or 16384 dense
/// 6-bit registers. Elements are hashed with MurmurHash64A (seed 0xadc83b19), and the count
/// uses Ertl's improved estimator, as Redis 7.0 does.
/// </summary>
public static class Hll
{
    public const int P = 14;
    public const int Q = 64 - P;
    public const int Registers = 1 << P;
    private const ulong PMask = Registers - 1;
    public const int Bits = 6;
    private const int RegisterMax = (1 << Bits) - 1;
    public const int HeaderSize = 16;
    public const int DenseSize = HeaderSize + (Registers * Bits + 7) / 8;
    public const byte Dense = 0;
    public const byte Sparse = 1;
    private const int SparseValMaxValue = 32;
    private const int SparseValMaxLen = 4;
    private const int SparseZeroMaxLen = 64;
    private const int SparseXZeroMaxLen = 16384;
    private const double AlphaInf = 0.721347520444481703680;

    /// <summary>hll-sparse-max-bytes: past this size a sparse HLL becomes dense.</summary>
    public static int SparseMaxBytes { get; set; } = 3000;

    /// <summary>An empty HLL as createHLLObject makes it: sparse, all registers in XZERO runs.</summary>
    public static byte[] CreateEmpty()
    {
        int length = HeaderSize + (Registers + SparseXZeroMaxLen - 1) / SparseXZeroMaxLen * 2;
        var s = new byte[length];
        "HYLL"u8.CopyTo(s);
        s[4] = Sparse;
        int p = HeaderSize, left = Registers;
        while (left > 0)
        {
            int run = Math.Min(SparseXZeroMaxLen, left);
            SetXZero(s, p, run);
            p += 2;
            left -= run;
        }
        return s;
    }

    /// <summary>isHLLObjectOrReply's checks: long enough, the magic, a known encoding, the exact dense size.</summary>
    public static bool IsValid(ReadOnlySpan<byte> s) =>
        s.Length >= HeaderSize && s[0] == 'H' && s[1] == 'Y' && s[2] == 'L' && s[3] == 'L' && s[4] <= Sparse &&
        (s[4] != Dense || s.Length == DenseSize);

    public static void InvalidateCache(Span<byte> s) => s[15] |= 0x80;

    public static bool CacheValid(ReadOnlySpan<byte> s) => (s[15] & 0x80) == 0;

    public static ulong CachedCardinality(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(8, 8));

    public static void SetCachedCardinality(Span<byte> s, ulong card) => BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(8, 8), card);

    public static ulong MurmurHash64A(ReadOnlySpan<byte> key, uint seed)
    {
        unchecked
        {
            const ulong m = 0xc6a4a7935bd1e995;
            const int r = 47;
            ulong h = seed ^ ((ulong)key.Length * m);
            int blocks = key.Length & ~7;
            for (int i = 0; i < blocks; i += 8)
            {
                ulong k = BinaryPrimitives.ReadUInt64LittleEndian(key.Slice(i, 8));
                k *= m;
                k ^= k >> r;
                k *= m;
                h ^= k;
                h *= m;
            }
            var tail = key[blocks..];
            switch (tail.Length)
            {
                case 7: h ^= (ulong)tail[6] << 48; goto case 6;
                case 6: h ^= (ulong)tail[5] << 40; goto case 5;
                case 5: h ^= (ulong)tail[4] << 32; goto case 4;
                case 4: h ^= (ulong)tail[3] << 24; goto case 3;
                case 3: h ^= (ulong)tail[2] << 16; goto case 2;
                case 2: h ^= (ulong)tail[1] << 8; goto case 1;
                case 1:
                    h ^= tail[0];
                    h *= m;
                    break;
            }
            h ^= h >> r;
            h *= m;
            h ^= h >> r;
            return h;
        }
    }

    /// <summary>hllPatLen: the register index and the run length of zeros plus one (1..Q+1).</summary>
    public static int PatternLength(ReadOnlySpan<byte> element, out int register)
    {
        ulong hash = MurmurHash64A(element, 0xadc83b19);
        register = (int)(hash & PMask);
        hash >>= P;
        hash |= 1UL << Q;
        ulong bit = 1;
        int count = 1;
        while ((hash & bit) == 0)
        {
            count++;
            bit <<= 1;
        }
        return count;
    }

    public static int GetDenseRegister(ReadOnlySpan<byte> registers, int index)
    {
        int bitIndex = index * Bits;
        int b = bitIndex >> 3, fb = bitIndex & 7;
        int b0 = registers[b];
        int b1 = b + 1 < registers.Length ? registers[b + 1] : 0;
        return ((b0 >> fb) | (b1 << (8 - fb))) & RegisterMax;
    }

    public static void SetDenseRegister(Span<byte> registers, int index, int value)
    {
        int bitIndex = index * Bits;
        int b = bitIndex >> 3, fb = bitIndex & 7, fb8 = 8 - fb;
        registers[b] = (byte)((registers[b] & ~(RegisterMax << fb)) | (value << fb));
        if (b + 1 < registers.Length) registers[b + 1] = (byte)((registers[b + 1] & ~(RegisterMax >> fb8)) | (value >> fb8));
    }

    /// <summary>hllDenseSet: raises a register; true when it changed.</summary>
    public static bool DenseSet(Span<byte> registers, int index, int count)
    {
        if (count <= GetDenseRegister(registers, index)) return false;
        SetDenseRegister(registers, index, count);
        return true;
    }

    private static bool IsZero(byte b) => (b & 0xc0) == 0;

    private static bool IsXZero(byte b) => (b & 0xc0) == 0x40;

    private static bool IsVal(byte b) => (b & 0x80) != 0;

    private static int ZeroLen(byte b) => (b & 0x3f) + 1;

    private static int XZeroLen(byte b0, byte b1) => (((b0 & 0x3f) << 8) | b1) + 1;

    private static int ValValue(byte b) => ((b >> 2) & 0x1f) + 1;

    private static int ValLen(byte b) => (b & 0x3) + 1;

    private static byte Val(int value, int len) => (byte)(((value - 1) << 2) | (len - 1) | 0x80);

    private static void SetXZero(Span<byte> s, int at, int len)
    {
        int l = len - 1;
        s[at] = (byte)((l >> 8) | 0x40);
        s[at + 1] = (byte)(l & 0xff);
    }

    /// <summary>hllSparseToDense: null when the sparse opcodes don't cover exactly 16384 registers.</summary>
    public static byte[]? SparseToDense(ReadOnlySpan<byte> sparse)
    {
        var dense = new byte[DenseSize];
        sparse[..HeaderSize].CopyTo(dense);
        dense[4] = Dense;
        var registers = dense.AsSpan(HeaderSize);
        int idx = 0, p = HeaderSize;
        while (p < sparse.Length)
        {
            byte op = sparse[p];
            if (IsZero(op))
            {
                idx += ZeroLen(op);
                p++;
            }
            else if (IsXZero(op))
            {
                if (p + 1 >= sparse.Length) return null;
                idx += XZeroLen(op, sparse[p + 1]);
                p += 2;
            }
            else
            {
                int run = ValLen(op), value = ValValue(op);
                if (run + idx > Registers) break;
                while (run-- > 0) SetDenseRegister(registers, idx++, value);
                p++;
            }
        }
        return idx == Registers ? dense : null;
    }

    /// <summary>
    /// Adds an element to the HLL in <paramref name="hll"/> (sparse or dense; a sparse one may
    /// grow or become dense, so the array may be replaced). 1 when a register changed, 0 when
    /// not, -1 for a corrupted HLL.
    /// </summary>
    public static int Add(ref byte[] hll, ref int length, ReadOnlySpan<byte> element)
    {
        int count = PatternLength(element, out int index);
        return Set(ref hll, ref length, index, count);
    }

    /// <summary>Raises register <paramref name="index"/> to <paramref name="count"/> (hllDenseSet / hllSparseSet).</summary>
    public static int Set(ref byte[] hll, ref int length, int index, int count)
    {
        if (hll[4] == Dense) return DenseSet(hll.AsSpan(HeaderSize, DenseSize - HeaderSize), index, count) ? 1 : 0;
        if (hll[4] != Sparse) return -1;
        return SparseSet(ref hll, ref length, index, count);
    }

    private static int SparseSet(ref byte[] s, ref int length, int index, int count)
    {
        if (count > SparseValMaxValue) return Promote(ref s, ref length, index, count);
        if (s.Length < length + 3) Array.Resize(ref s, Math.Max(length + 3, Math.Min(s.Length * 2, SparseMaxBytes + 8)));

        int sparse = HeaderSize, p = sparse, end = length;
        int first = 0, prev = -1, span = 0;
        while (p < end)
        {
            int oplen = 1;
            byte op = s[p];
            if (IsZero(op)) span = ZeroLen(op);
            else if (IsVal(op)) span = ValLen(op);
            else
            {
                if (p + 1 >= end) return -1;
                span = XZeroLen(op, s[p + 1]);
                oplen = 2;
            }
            if (index <= first + span - 1) break;
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) return -1;

        int next = IsXZero(s[p]) ? p + 2 : p + 1;
        if (next >= end) next = -1;
        bool isZero = false, isXZero = false, isVal = false;
        int runLength;
        if (IsZero(s[p]))
        {
            isZero = true;
            runLength = ZeroLen(s[p]);
        }
        else if (IsXZero(s[p]))
        {
            isXZero = true;
            runLength = XZeroLen(s[p], s[p + 1]);
        }
        else
        {
            isVal = true;
            runLength = ValLen(s[p]);
        }

        if (isVal)
        {
            int old = ValValue(s[p]);
            if (old >= count) return 0;
            if (runLength == 1)
            {
                s[p] = Val(count, 1);
                goto Updated;
            }
        }
        if (isZero && runLength == 1)
        {
            s[p] = Val(count, 1);
            goto Updated;
        }

        Span<byte> seq = stackalloc byte[5];
        int n = 0;
        int last = first + span - 1;
        int len;
        if (isZero || isXZero)
        {
            if (index != first)
            {
                len = index - first;
                if (len > SparseZeroMaxLen)
                {
                    SetXZero(seq, n, len);
                    n += 2;
                }
                else seq[n++] = (byte)(len - 1);
            }
            seq[n++] = Val(count, 1);
            if (index != last)
            {
                len = last - index;
                if (len > SparseZeroMaxLen)
                {
                    SetXZero(seq, n, len);
                    n += 2;
                }
                else seq[n++] = (byte)(len - 1);
            }
        }
        else
        {
            int current = ValValue(s[p]);
            if (index != first) seq[n++] = Val(current, index - first);
            seq[n++] = Val(count, 1);
            if (index != last) seq[n++] = Val(current, last - index);
        }

        int oldLength = isXZero ? 2 : 1;
        int delta = n - oldLength;
        if (delta > 0 && length + delta > SparseMaxBytes) return Promote(ref s, ref length, index, count);
        if (delta != 0 && next >= 0) Array.Copy(s, next, s, next + delta, end - next);
        length += delta;
        seq[..n].CopyTo(s.AsSpan(p));
        end += delta;

    Updated:
        p = prev >= 0 ? prev : sparse;
        int scan = 5;
        while (p < end && scan-- > 0)
        {
            if (IsXZero(s[p]))
            {
                p += 2;
                continue;
            }
            if (IsZero(s[p]))
            {
                p++;
                continue;
            }
            if (p + 1 < end && IsVal(s[p + 1]))
            {
                int v1 = ValValue(s[p]), v2 = ValValue(s[p + 1]);
                if (v1 == v2)
                {
                    int merged = ValLen(s[p]) + ValLen(s[p + 1]);
                    if (merged <= SparseValMaxLen)
                    {
                        s[p + 1] = Val(v1, merged);
                        Array.Copy(s, p + 1, s, p, end - p - 1);
                        length--;
                        end--;
                        continue;
                    }
                }
            }
            p++;
        }
        InvalidateCache(s);
        return 1;
    }

    private static int Promote(ref byte[] s, ref int length, int index, int count)
    {
        var dense = SparseToDense(s.AsSpan(0, length));
        if (dense is null) return -1;
        s = dense;
        length = dense.Length;
        DenseSet(dense.AsSpan(HeaderSize), index, count);
        return 1;
    }

    /// <summary>hllMerge: max[i] = max(max[i], register i). False for a corrupted sparse HLL.</summary>
    public static bool MergeInto(Span<byte> max, ReadOnlySpan<byte> hll)
    {
        if (hll[4] == Dense)
        {
            var registers = hll[HeaderSize..];
            for (int i = 0; i < Registers; i++)
            {
                int v = GetDenseRegister(registers, i);
                if (v > max[i]) max[i] = (byte)v;
            }
            return true;
        }
        int idx = 0, p = HeaderSize;
        while (p < hll.Length)
        {
            byte op = hll[p];
            if (IsZero(op))
            {
                idx += ZeroLen(op);
                p++;
            }
            else if (IsXZero(op))
            {
                if (p + 1 >= hll.Length) return false;
                idx += XZeroLen(op, hll[p + 1]);
                p += 2;
            }
            else
            {
                int run = ValLen(op), value = ValValue(op);
                if (run + idx > Registers) break;
                while (run-- > 0)
                {
                    if (value > max[idx]) max[idx] = (byte)value;
                    idx++;
                }
                p++;
            }
        }
        return idx == Registers;
    }

    /// <summary>hllCount of a stored HLL; <paramref name="invalid"/> for sparse opcodes not covering 16384 registers.</summary>
    public static ulong Count(ReadOnlySpan<byte> hll, out bool invalid)
    {
        invalid = false;
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        if (hll[4] == Dense)
        {
            var registers = hll[HeaderSize..];
            for (int i = 0; i < Registers; i++) histogram[GetDenseRegister(registers, i)]++;
        }
        else
        {
            int idx = 0, p = HeaderSize;
            while (p < hll.Length)
            {
                byte op = hll[p];
                if (IsZero(op))
                {
                    int run = ZeroLen(op);
                    idx += run;
                    histogram[0] += run;
                    p++;
                }
                else if (IsXZero(op))
                {
                    int run = p + 1 < hll.Length ? XZeroLen(op, hll[p + 1]) : 0;
                    idx += run;
                    histogram[0] += run;
                    p += 2;
                }
                else
                {
                    int run = ValLen(op);
                    idx += run;
                    histogram[ValValue(op)] += run;
                    p++;
                }
            }
            if (idx != Registers) invalid = true;
        }
        return Estimate(histogram);
    }

    /// <summary>hllCount of raw registers (one byte each), as PFCOUNT of several keys computes.</summary>
    public static ulong CountRaw(ReadOnlySpan<byte> registers)
    {
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        foreach (var r in registers) histogram[r & 63]++;
        return Estimate(histogram);
    }

    /// <summary>Ertl's estimator ("New cardinality estimation algorithms for HyperLogLog sketches").</summary>
    public static ulong Estimate(ReadOnlySpan<int> histogram)
    {
        double m = Registers;
        double z = m * Tau((m - histogram[Q + 1]) / m);
        for (int j = Q; j >= 1; --j)
        {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * Sigma(histogram[0] / m);
        return (ulong)Math.Round(AlphaInf * m * m / z, MidpointRounding.AwayFromZero);
    }

    private static double Sigma(double x)
    {
        if (x == 1.0) return double.PositiveInfinity;
        double zPrime, y = 1, z = x;
        do
        {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0.0 || x == 1.0) return 0.0;
        double zPrime, y = 1.0, z = 1 - x;
        do
        {
            x = Math.Sqrt(x);
            zPrime = z;
            y *= 0.5;
            z -= Math.Pow(1 - x, 2) * y;
        } while (zPrime != z);
        return z / 3;
    }
}
