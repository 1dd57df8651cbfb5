namespace Magpie.Storage.Values;

/// <summary>
/// The layout Redis 7.0 would give a stream: its entries packed into listpack nodes of at most
/// stream-node-max-entries (100, deleted entries included) or stream-node-max-bytes (4096). Magpie
/// keeps the entries in a <see cref="RedisStreamIdMap{T}"/>; this model only tracks where Redis's
/// node boundaries would be (first and last id, live and deleted counts, listpack bytes), because
/// approximate trimming (MAXLEN ~, MINID ~) removes whole nodes only, and its result must be the one
/// redis-server gives.
/// </summary>
public sealed class RedisStreamNodes
{
    public const int MaxEntries = 100;
    public const int MaxBytes = 4096;

    private readonly List<Node> _nodes = [];

    public int Count => _nodes.Count;

    public Node this[int index] => _nodes[index];

    public void Clear() => _nodes.Clear();

    /// <summary>Records an appended entry (Redis's streamAppendItem).</summary>
    public void Append(RedisStreamId id, byte[][] fieldsAndValues)
    {
        long totelelen = 0;
        foreach (var b in fieldsAndValues) totelelen += b.Length;
        Node? tail = _nodes.Count > 0 ? _nodes[^1] : null;
        if (tail is not null && (tail.Bytes + totelelen >= MaxBytes || tail.Live + tail.Deleted >= MaxEntries)) tail = null;
        int fields = fieldsAndValues.Length / 2;
        if (tail is null)
        {
            tail = new Node { MasterId = id, MasterFields = new byte[fields][] };
            for (int i = 0; i < fields; i++) tail.MasterFields[i] = fieldsAndValues[2 * i];
            // Header (6) and end byte, then count, deleted, num-fields, the fields and the 0 terminator.
            tail.Bytes = 7 + IntSize(1) + IntSize(0) + IntSize(fields) + IntSize(0);
            foreach (var f in tail.MasterFields) tail.Bytes += StringSize(f);
            _nodes.Add(tail);
        }
        bool sameFields = tail.MasterFields.Length == fields;
        for (int i = 0; sameFields && i < fields; i++) sameFields = tail.MasterFields[i].AsSpan().SequenceEqual(fieldsAndValues[2 * i]);
        long bytes = IntSize(sameFields ? 2 : 0) + IntSize(unchecked((long)(id.Ms - tail.MasterId.Ms))) + IntSize(unchecked((long)(id.Seq - tail.MasterId.Seq)));
        if (sameFields)
        {
            for (int i = 0; i < fields; i++) bytes += StringSize(fieldsAndValues[2 * i + 1]);
            bytes += IntSize(3 + fields);
        }
        else
        {
            bytes += IntSize(fields);
            foreach (var b in fieldsAndValues) bytes += StringSize(b);
            bytes += IntSize(4 + 2 * fields);
        }
        tail.Bytes += bytes;
        tail.Live++;
        tail.LastId = id;
    }

    /// <summary>Records a deleted entry (XDEL); a node whose last live entry goes is dropped.</summary>
    public void Delete(RedisStreamId id)
    {
        int i = Find(id);
        if (i < 0) return;
        MarkDeleted(i, 1);
    }

    /// <summary>Marks <paramref name="n"/> entries of node <paramref name="index"/> deleted, dropping it when none is left.</summary>
    public void MarkDeleted(int index, int n)
    {
        var node = _nodes[index];
        node.Live -= n;
        node.Deleted += n;
        if (node.Live <= 0) _nodes.RemoveAt(index);
    }

    public void RemoveFirst() => _nodes.RemoveAt(0);

    /// <summary>Adds a node as loaded from RDB (its real master id, fields, counts and bytes), after the others.</summary>
    public void AppendLoaded(Node node) => _nodes.Add(node);

    private int Find(RedisStreamId id)
    {
        int lo = 0, hi = _nodes.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_nodes[mid].MasterId <= id) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }

    /// <summary>Bytes of a listpack string element (encoding, data, back length); integer-like strings are stored as integers.</summary>
    private static long StringSize(byte[] s)
    {
        if (s.Length <= 20 && Magpie.Protocol.RedisNumbers.TryParseInt64(s, out long v) && IsCanonical(s)) return IntSize(v);
        long enc = s.Length < 64 ? 1 + s.Length : s.Length < 4096 ? 2 + s.Length : 5 + s.Length;
        return enc + BacklenSize(enc);
    }

    private static bool IsCanonical(byte[] s)
    {
        // string2ll: no '+', no leading zeros (except "0"), no "-0".
        if (s.Length == 0) return false;
        int i = s[0] == '-' ? 1 : 0;
        if (i == s.Length) return false;
        if (s[i] == '0') return s.Length == 1;
        return true;
    }

    private static long IntSize(long v)
    {
        long enc = v >= 0 && v <= 127 ? 1
            : v >= -4096 && v <= 4095 ? 2
            : v >= short.MinValue && v <= short.MaxValue ? 3
            : v >= -8388608 && v <= 8388607 ? 4
            : v >= int.MinValue && v <= int.MaxValue ? 5
            : 9;
        return enc + BacklenSize(enc);
    }

    private static long BacklenSize(long l) => l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;

    public sealed class Node
    {
        public RedisStreamId MasterId;
        public RedisStreamId LastId;
        public int Live;
        public int Deleted;
        public long Bytes;
        public byte[][] MasterFields = [];
    }
}
