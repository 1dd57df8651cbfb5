namespace Magpie.Cluster.Tests;

internal static class Nodes
{
    public static NodeInfo Primary(int i) => new($"node-{i}", $"127.0.0.1:{7000 + i}", $"http://127.0.0.1:{8000 + i}");

    public static NodeInfo[] Primaries(int count) => Enumerable.Range(1, count).Select(Primary).ToArray();
}
