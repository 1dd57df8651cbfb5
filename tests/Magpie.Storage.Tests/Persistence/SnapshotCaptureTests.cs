using System.Buffers;
using System.Text;
using Magpie.Storage.Persistence;
using Magpie.Storage.Values;

namespace Magpie.Storage.Tests.Persistence;

public class SnapshotCaptureTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static Dictionary<string, string> Contents(Keyspace ks)
    {
        var map = new Dictionary<string, string>();
        for (int d = 0; d < ks.DatabaseCount; d++)
            foreach (var e in ks[d].AllEntries())
                map[$"{d}/{Encoding.UTF8.GetString(e.Key)}"] = DumpPayloadTests.Describe(e.Value) + "@" + e.ExpireAt;
        return map;
    }

    private static Dictionary<string, string> Run(Keyspace ks, Action<int> writeBetweenSteps)
    {
        var file = new MemoryStream();
        var writer = new RdbFileWriter(file);
        writer.WriteHeader();
        var capture = SnapshotCapture.Start(ks);
        var chunk = new ArrayBufferWriter<byte>();
        int step = 0;
        while (capture.Step(chunk, maxKeys: 50))
        {
            writer.WriteSerialized(chunk.WrittenSpan);
            chunk.ResetWrittenCount();
            writeBetweenSteps(step++);
        }
        writer.WriteSerialized(chunk.WrittenSpan);
        writer.Finish();
        Assert.Null(ks.Snapshot);
        file.Position = 0;
        var loaded = new Keyspace(ks.DatabaseCount);
        RdbFileLoader.Load(file, loaded);
        return Contents(loaded);
    }

    [Fact]
    public void The_snapshot_is_the_keyspace_as_it_was_at_the_start()
    {
        var ks = new Keyspace(4);
        for (int d = 0; d < 3; d++)
            for (int i = 0; i < 1000; i++)
            {
                if (i % 2 == 0) ks[d].Add(B($"k{i}"), B($"v{i}"));
                else
                {
                    var list = new RedisList();
                    list.PushTail(B($"a{i}"));
                    ks[d].Add(B($"k{i}"), list);
                }
            }
        var before = Contents(ks);
        var rng = new Random(3);
        var result = Run(ks, step =>
        {
            for (int n = 0; n < 30; n++)
            {
                var db = ks[rng.Next(4)];
                var key = B($"k{rng.Next(1200)}");
                switch (rng.Next(6))
                {
                    case 0: db.SetString(key, B("changed")); break;
                    case 1: db.Remove(key); break;
                    case 2:
                        if (db.GetForWrite(key) is { Value: RedisList l } e)
                        {
                            l.PushTail(B("more"));
                            db.SignalModified(e);
                        }
                        break;
                    case 3:
                        if (db.Lookup(key) is { } x) db.SetExpire(x, 9_999_999_999_999);
                        break;
                    case 4: if (db.Lookup(key) is null) db.Add(key, B("new")); break;
                    case 5: if (step == 5 && n == 0) db.Flush(); break;
                }
            }
            if (step == 7) ks.SwapDatabases(1, 2);
        });
        Assert.Equal(before, result);
        Assert.NotEqual(before, Contents(ks));
    }
}
