using Magpie.Protocol.Replies;

namespace Magpie.Client;

/// <summary>A precondition for a transaction: a read of a watched key and a test of its reply.</summary>
public sealed class Condition
{
    private readonly Func<int, PendingCommand<RespValue>> _probe;
    private readonly Func<RespValue, bool> _test;

    private Condition(MagpieKey key, string description, Func<int, PendingCommand<RespValue>> probe, Func<RespValue, bool> test)
    {
        Key = key;
        Description = description;
        _probe = probe;
        _test = test;
    }

    public MagpieKey Key { get; }

    public string Description { get; }

    public static Condition KeyExists(MagpieKey key) =>
        new(key, $"EXISTS {key}", db => PendingCommand.Raw("EXISTS", 1, db).Add(key), static r => r.AsInt64() > 0);

    public static Condition KeyNotExists(MagpieKey key) =>
        new(key, $"NOT EXISTS {key}", db => PendingCommand.Raw("EXISTS", 1, db).Add(key), static r => r.AsInt64() == 0);

    public static Condition StringEqual(MagpieKey key, MagpieValue value) =>
        new(key, $"GET {key} == {value}", db => PendingCommand.Raw("GET", 1, db).Add(key), r => MagpieValue.FromReply(r.Bytes) == value);

    public static Condition StringNotEqual(MagpieKey key, MagpieValue value) =>
        new(key, $"GET {key} != {value}", db => PendingCommand.Raw("GET", 1, db).Add(key), r => MagpieValue.FromReply(r.Bytes) != value);

    public static Condition HashEqual(MagpieKey key, MagpieValue field, MagpieValue value) =>
        new(key, $"HGET {key} {field} == {value}", db => PendingCommand.Raw("HGET", 2, db).Add(key).Add(field), r => MagpieValue.FromReply(r.Bytes) == value);

    public static Condition HashExists(MagpieKey key, MagpieValue field) =>
        new(key, $"HEXISTS {key} {field}", db => PendingCommand.Raw("HEXISTS", 2, db).Add(key).Add(field), static r => r.AsBoolean());

    public static Condition HashNotExists(MagpieKey key, MagpieValue field) =>
        new(key, $"NOT HEXISTS {key} {field}", db => PendingCommand.Raw("HEXISTS", 2, db).Add(key).Add(field), static r => !r.AsBoolean());

    internal PendingCommand<RespValue> CreateProbe(int database) => _probe(database);

    internal bool IsSatisfiedBy(RespValue reply) => _test(reply);

    public override string ToString() => Description;
}
