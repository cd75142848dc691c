namespace TcpMsg.Server.Internal.Http;

/// <summary>Messages per second over the last <see cref="Seconds"/> seconds, for the live page's plot.</summary>
internal sealed class MessageRate
{
    public const int Seconds = 600;

    private readonly Lock _lock = new();
    private readonly long[] _counts = new long[Seconds];
    private readonly long[] _stamps = new long[Seconds];
    private readonly TimeProvider _time;

    public MessageRate(TimeProvider time) => _time = time;

    /// <summary>Counts <paramref name="count"/> messages in the current second (once per batch).</summary>
    public void Add(int count)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(now % Seconds);
        lock (_lock)
        {
            if (_stamps[slot] != now)
            {
                _stamps[slot] = now;
                _counts[slot] = 0;
            }

            _counts[slot] += count;
        }
    }

    /// <summary>The counts of the last <paramref name="seconds"/> whole seconds, oldest first, and the second the last one ends.</summary>
    public long[] Last(int seconds, out long endsAt)
    {
        seconds = Math.Clamp(seconds, 1, Seconds - 1);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        endsAt = now;
        var result = new long[seconds];
        lock (_lock)
        {
            for (var i = 0; i < seconds; i++)
            {
                // The current second is still filling: the series ends with the last complete one.
                var second = now - seconds + i;
                var slot = (int)(second % Seconds);
                result[i] = _stamps[slot] == second ? _counts[slot] : 0;
            }
        }

        return result;
    }
}
