using Magpie.Client.Tests.Caching;
using Magpie.Client.Tests.Commands;
using Magpie.Client.Tests.Connection;
using Magpie.Client.Tests.DependencyInjection;
using Magpie.Client.Tests.Fixtures;

namespace Magpie.Client.Tests;

// The server-backed suite, bound to redis-server; MagpieSuite.cs binds the same list to a Magpie node.
// Tests that need what only some servers have check the fixture (SupportsClientTracking) rather than skip.
public sealed class RedisCommandTests(RedisServerFixture server) : CommandTests<RedisServerFixture>(server);
public sealed class RedisPipelineTests(RedisServerFixture server) : PipelineTests<RedisServerFixture>(server);
public sealed class RedisReconnectTests : ReconnectTests<RedisServerFixture>;
public sealed class RedisTransactionTests(RedisServerFixture server) : TransactionTests<RedisServerFixture>(server);
public sealed class RedisPubSubTests(RedisServerFixture server) : PubSubTests<RedisServerFixture>(server);
public sealed class RedisTieredCacheTests(RedisServerFixture server, Xunit.Abstractions.ITestOutputHelper output) : TieredCacheTests<RedisServerFixture>(server, output);
public sealed class RedisDependencyInjectionTests(RedisServerFixture server) : DependencyInjectionTests<RedisServerFixture>(server);
