using System.Diagnostics;

namespace Magpie.Server.Commands;

/// <summary>
/// keyspace-walk-budget-ms for one command that walks or looks up many keys under the keyspace lock
/// (SORT's BY/GET lookups and comparisons, SCAN with a large COUNT): the clock is read every 256
/// steps, so checking costs next to nothing. 0 means no budget.
/// </summary>
public sealed class KeyspaceWalkBudget(long budgetMs)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _steps;

    public long BudgetMs => budgetMs;

    /// <summary>One step; true once the budget is spent (checked every 256 steps).</summary>
    public bool Step() => budgetMs > 0 && (++_steps & 255) == 0 && Stopwatch.GetElapsedTime(_started).TotalMilliseconds > budgetMs;

    /// <summary>True when the budget is spent, reading the clock now.</summary>
    public bool Spent => budgetMs > 0 && Stopwatch.GetElapsedTime(_started).TotalMilliseconds > budgetMs;
}

/// <summary>Thrown from inside a comparison to stop a sort whose budget is spent.</summary>
internal sealed class KeyspaceWalkBudgetException : Exception;
