namespace Magpie.Client;

/// <summary>
/// Which failed reconnect attempts to a dead server are logged as warnings: the first three, then
/// attempts 4, 8, 16, 32 and 64, then every 64th (about every five minutes at the 5 s maximum delay).
/// A peer that stays down for an hour writes about twenty lines instead of seven hundred.
/// </summary>
internal static class ReconnectLogPolicy
{
    public static bool ShouldWarn(int attempt) =>
        attempt <= 3 || (attempt <= 64 && (attempt & (attempt - 1)) == 0) || attempt % 64 == 0;
}
