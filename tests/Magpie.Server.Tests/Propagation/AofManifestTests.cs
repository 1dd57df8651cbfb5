using Magpie.Server.Persistence;

namespace Magpie.Server.Tests.Propagation;

public class AofManifestTests
{
    [Fact]
    public void Parses_what_redis_server_writes_and_formats_it_back()
    {
        var m = AofManifest.Parse("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n");
        Assert.Equal("appendonly.aof.2.base.rdb", m.Base!.Name);
        Assert.Equal(["appendonly.aof.2.incr.aof", "appendonly.aof.3.incr.aof"], m.Incr.Select(i => i.Name));
        Assert.Equal(4, m.NextSeq);
        Assert.Equal("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n", m.Format());
    }

    [Theory]
    [InlineData("")]
    [InlineData("file x seq 0 type b\n")]
    [InlineData("file ../x seq 1 type i\n")]
    [InlineData("file a seq 1 type b\nfile b seq 2 type b\n")]
    [InlineData("file a seq 2 type i\nfile b seq 1 type i\n")]
    [InlineData("nonsense\n")]
    public void Refuses_bad_manifests(string text) => Assert.Throws<InvalidDataException>(() => AofManifest.Parse(text));
}
