namespace Magpie.Client.Tests.Fixtures;

/// <summary>A real `magpie server` process (built beside the tests) on a free port, HTTP off.</summary>
public class MagpieServerFixture : ProcessServerFixture
{
    public override bool SupportsClientTracking => true;

    public override string Name => "magpie";

    protected override TimeSpan StartTimeout => TimeSpan.FromSeconds(30);

    protected override (string FileName, IEnumerable<string> Arguments) Command() =>
        ("dotnet", [Path.Combine(AppContext.BaseDirectory, "magpie.dll"), "server", "--port", Port.ToString(), "--http-port", "-1", "--log-level", "Warning"]);
}
