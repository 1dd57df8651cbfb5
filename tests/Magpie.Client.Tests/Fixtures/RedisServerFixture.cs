namespace Magpie.Client.Tests.Fixtures;

/// <summary>A real redis-server (REDIS_SERVER overrides the path) with persistence off, on a free port.</summary>
public class RedisServerFixture : ProcessServerFixture
{
    public override bool SupportsClientTracking => true;

    public override string Name => "redis";

    public static string BinaryPath => Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "/usr/bin/redis-server";

    protected override (string FileName, IEnumerable<string> Arguments) Command()
    {
        if (!File.Exists(BinaryPath))
            throw new InvalidOperationException($"redis-server not found at {BinaryPath}; install it (apt-get install -y redis-server) or set REDIS_SERVER.");
        return (BinaryPath, Arguments());
    }

    protected virtual IEnumerable<string> Arguments() =>
        ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"];
}
