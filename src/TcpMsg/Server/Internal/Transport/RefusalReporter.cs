namespace TcpMsg.Server.Internal;

/// <summary>
/// Reports connections refused at the connection limit: the first one at once, then at most one
/// summary per interval with the number refused meanwhile, so a flood cannot flood the log.
/// </summary>
internal sealed class RefusalReporter : IDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);

    private readonly MessagePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ITimer _summaryTimer;
    private long _quietUntil;
    private long _suppressed;
    private ConnectionInfo? _lastSuppressed;
    private int _limit;

    public RefusalReporter(MessagePipeline pipeline, TimeProvider time)
    {
        _pipeline = pipeline;
        _time = time;
        _summaryTimer = time.CreateTimer(static s => ((RefusalReporter)s!).ReportSummary(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Report(ConnectionInfo refused, int limit)
    {
        lock (_lock)
        {
            _limit = limit;
            var now = _time.GetTimestamp();
            if (now < _quietUntil)
            {
                if (_suppressed++ == 0)
                {
                    _summaryTimer.Change(_time.GetElapsedTime(now, _quietUntil), Timeout.InfiniteTimeSpan);
                }

                _lastSuppressed = refused;
                return;
            }

            _quietUntil = now + (long)(s_interval.TotalSeconds * _time.TimestampFrequency);
        }

        Publish(refused, 1, limit);
    }

    public void Dispose() => _summaryTimer.Dispose();

    private void ReportSummary()
    {
        ConnectionInfo? last;
        long count;
        int limit;
        lock (_lock)
        {
            count = _suppressed;
            last = _lastSuppressed;
            limit = _limit;
            _suppressed = 0;
            _lastSuppressed = null;
            _quietUntil = _time.GetTimestamp() + (long)(s_interval.TotalSeconds * _time.TimestampFrequency);
        }

        if (count > 0 && last is not null)
        {
            Publish(last, count, limit);
        }
    }

    private void Publish(ConnectionInfo refused, long count, int limit)
    {
        var detail = count == 1
            ? $"refused {refused.EndPoint}: the server is at its limit of {limit} connections"
            : $"refused {count} more connections (last {refused.EndPoint}): the server is at its limit of {limit} connections";
        _pipeline.Publish(new ConnectionError(refused, _time.GetUtcNow(), TcpMsgErrorCode.ConnectionLimit, detail, count, limit));
    }
}
