using Microsoft.Extensions.Logging;

namespace Magpie.Cluster.Tests;

/// <summary>A peer that has not started yet is not reported as down; one that was up and stops is.</summary>
public class PeerStartupLogTests
{
    private sealed class ListLogger : ILogger<PeerHealth>
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add((logLevel, formatter(state, exception)));
        }
    }

    [Fact]
    public void A_peer_that_never_answered_is_routed_around_without_a_down_warning()
    {
        var logger = new ListLogger();
        var health = new PeerHealth("node-1", Nodes.Primaries(2), logger: logger);
        health.ReportFailure("node-2");
        Assert.False(health.IsUp("node-2"));
        Assert.DoesNotContain(logger.Lines, l => l.Level >= LogLevel.Warning);

        health.ReportSuccess("node-2");
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("node-2") && l.Message.EndsWith("is up"));
    }

    [Fact]
    public void A_peer_that_was_up_and_stops_is_reported_down_and_back_up()
    {
        var logger = new ListLogger();
        var health = new PeerHealth("node-1", Nodes.Primaries(2), logger: logger);
        health.ReportSuccess("node-2"); // seen up (no state change: peers start up)
        health.ReportFailure("node-2");
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("node-2") && l.Message.Contains("is down"));
        health.ReportSuccess("node-2");
        Assert.Contains(logger.Lines, l => l.Message.Contains("is up again"));
    }
}
