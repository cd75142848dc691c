namespace TcpMsg.Storage;

/// <summary>What retention (<see cref="StoreOptions.Retain"/>, <see cref="StoreOptions.MaxSize"/>) has removed from a store: the oldest messages, up to a point.</summary>
/// <param name="ThroughId">Every message up to this id was removed.</param>
/// <param name="ThroughTime">The newest of them was received at this time (UTC).</param>
/// <param name="Count">How many were removed in all.</param>
internal sealed record RemovedMessages(long ThroughId, DateTimeOffset ThroughTime, long Count)
{
    /// <summary>
    /// True when <paramref name="query"/> asked for messages that were removed: a range that starts
    /// at or before <see cref="ThroughTime"/> or <see cref="ThroughId"/>, or the newest N when fewer
    /// than N are left (<paramref name="returned"/>).
    /// </summary>
    public bool Covers(HistoryQuery query, int returned)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Until is { } until && until <= ThroughTime)
        {
            return true;
        }

        if (query.Since is { } since)
        {
            return since <= ThroughTime && returned < query.Limit;
        }

        return query.AfterId < ThroughId && returned < query.Limit;
    }
}
