using Magpie.Groups;
using Magpie.Server.Hosting;
using Magpie.Server.Peers;
using Microsoft.Extensions.DependencyInjection;
using QuickStart;

// Embedded mode: this application is a Magpie node. It takes the node's options from the command
// line (--port 7001 --http-port 8001 --peers 127.0.0.1:7001@8001,... [--self 127.0.0.1:7001]),
// registers the "scores" group with a C# loader and serves it over HTTP and RESP.
MagpieOptions options;
try
{
    options = NodeHost.BindOptions(NodeHost.LoadConfiguration(configFile: null, CommandLine.ToOverrides(args)));
}
catch (Exception ex) when (ex is OptionsException or ArgumentException)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

var app = NodeHost.Build(options, builder => builder.Services.AddSingleton<SlowDb>());
var db = app.Services.GetRequiredService<SlowDb>();
app.Services.AddGroup(
    new GroupOptions { Name = "scores", MaxBytes = 2 << 20, DefaultTtl = TimeSpan.FromMinutes(5) },
    db.LoadAsync);

await app.RunAsync();
return 0;
