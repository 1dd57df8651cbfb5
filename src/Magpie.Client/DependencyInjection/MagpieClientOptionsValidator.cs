using Microsoft.Extensions.Options;

namespace Magpie.Client.DependencyInjection;

/// <summary>Checks what data annotations cannot: that the connection string parses and durations are positive.</summary>
internal sealed class MagpieClientOptionsValidator : IValidateOptions<MagpieClientOptions>
{
    public ValidateOptionsResult Validate(string? name, MagpieClientOptions options)
    {
        var failures = new List<string>();
        try
        {
            MagpieConnectionOptions.Parse(options.ConnectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            failures.Add($"Magpie:ConnectionString is invalid: {ex.Message}");
        }
        if (options.MemoryMaximumCount <= 0) failures.Add("Magpie:MemoryMaximumCount must be positive.");
        if (options.MemoryMaximumBytes is <= 0) failures.Add("Magpie:MemoryMaximumBytes must be positive when set.");
        if (options.DefaultDuration <= TimeSpan.Zero) failures.Add("Magpie:DefaultDuration must be positive.");
        if (options.FailSafeMaxDuration < TimeSpan.Zero) failures.Add("Magpie:FailSafeMaxDuration must not be negative.");
        if (string.IsNullOrEmpty(options.KeyPrefix)) failures.Add("Magpie:KeyPrefix must not be empty (it scopes invalidation).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
