using Magpie.Client.Tests.Caching;
using Magpie.Client.Tests.Commands;
using Magpie.Client.Tests.Connection;
using Magpie.Client.Tests.DependencyInjection;
using Magpie.Client.Tests.Fixtures;

namespace Magpie.Client.Tests;

// The same server-backed suite as RedisSuite.cs, against a Magpie node.
public sealed class MagpieCommandTests(MagpieServerFixture server) : CommandTests<MagpieServerFixture>(server);
public sealed class MagpiePipelineTests(MagpieServerFixture server) : PipelineTests<MagpieServerFixture>(server);
public sealed class MagpieReconnectTests : ReconnectTests<MagpieServerFixture>;
public sealed class MagpieTransactionTests(MagpieServerFixture server) : TransactionTests<MagpieServerFixture>(server);
public sealed class MagpiePubSubTests(MagpieServerFixture server) : PubSubTests<MagpieServerFixture>(server);
public sealed class MagpieTieredCacheTests(MagpieServerFixture server, Xunit.Abstractions.ITestOutputHelper output) : TieredCacheTests<MagpieServerFixture>(server, output);
public sealed class MagpieDependencyInjectionTests(MagpieServerFixture server) : DependencyInjectionTests<MagpieServerFixture>(server);
