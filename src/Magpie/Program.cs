using System.CommandLine;
using Magpie;

var root = new RootCommand("Magpie: a Redis-compatible distributed cache.");
root.Subcommands.Add(ServerCommand.Create());
root.Subcommands.Add(CliCommand.Create());
return await root.Parse(args).InvokeAsync();
