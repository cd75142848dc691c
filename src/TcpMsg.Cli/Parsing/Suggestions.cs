namespace TcpMsg.Cli.Parsing;

/// <summary>"Did you mean": the known names closest to a mistyped one (edit distance, or a shared prefix).</summary>
internal static class Suggestions
{
    /// <summary>The best matches for <paramref name="typed"/> among <paramref name="known"/>, nearest first; none when nothing is close.</summary>
    public static IReadOnlyList<string> For(string typed, IEnumerable<string> known)
    {
        var bare = typed.TrimStart('-');
        if (bare.Length < 2)
        {
            // -p, -x: one letter is too little to guess from.
            return [];
        }

        var candidates = known
            .Distinct(StringComparer.Ordinal)
            .Where(name => name.TrimStart('-').Length >= 2)
            .Select(name => (Name: name, Distance: Distance(bare, name.TrimStart('-')), Prefix: IsPrefix(bare, name.TrimStart('-'))))
            .Where(c => c.Prefix || c.Distance <= Allowed(Math.Max(bare.Length, c.Name.TrimStart('-').Length)))
            .OrderBy(c => c.Prefix ? 0 : c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var best = candidates[0].Prefix ? 0 : candidates[0].Distance;
        return candidates.Where(c => (c.Prefix ? 0 : c.Distance) == best).Select(c => c.Name).Take(3).ToList();
    }

    /// <summary>How many edits still look like a typo of a name this long.</summary>
    private static int Allowed(int length) => length switch
    {
        >= 6 => 3,
        >= 4 => 2,
        _ => 1,
    };

    /// <summary>One name begins the other (<c>--ret</c>, <c>--retries</c> for <c>--retry</c>).</summary>
    private static bool IsPrefix(string typed, string name) =>
        Math.Min(typed.Length, name.Length) >= 3 &&
        (name.StartsWith(typed, StringComparison.OrdinalIgnoreCase) || typed.StartsWith(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Damerau-Levenshtein distance (optimal string alignment): a swap of two letters is one edit.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
