namespace Magpie.Groups.Benchmarks;

/// <summary>A deterministic Zipf(s) request trace over ranks 0..n-1 (rank 0 most popular), by inverse CDF.</summary>
internal static class ZipfTrace
{
    public static int[] Generate(int distinctKeys, double exponent, int requests, int seed)
    {
        var cdf = new double[distinctKeys];
        double sum = 0;
        for (int rank = 0; rank < distinctKeys; rank++)
        {
            sum += 1.0 / Math.Pow(rank + 1, exponent);
            cdf[rank] = sum;
        }
        for (int rank = 0; rank < distinctKeys; rank++) cdf[rank] /= sum;

        var random = new Random(seed);
        var trace = new int[requests];
        for (int i = 0; i < requests; i++)
        {
            int index = Array.BinarySearch(cdf, random.NextDouble());
            trace[i] = Math.Min(index < 0 ? ~index : index, distinctKeys - 1);
        }
        return trace;
    }

    /// <summary>Share of requests the best possible static cache of <paramref name="capacity"/> keys would hit.</summary>
    public static double OptimalHitRatio(int distinctKeys, double exponent, int capacity)
    {
        double top = 0, all = 0;
        for (int rank = 0; rank < distinctKeys; rank++)
        {
            double p = 1.0 / Math.Pow(rank + 1, exponent);
            all += p;
            if (rank < capacity) top += p;
        }
        return top / all;
    }
}
