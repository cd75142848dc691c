using System.Diagnostics;
using System.Diagnostics.Metrics;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Server.Internal;

/// <summary>
/// The store, with each commit (one per batch) timed into <c>tcpmsg.store.commit.duration</c>,
/// failed ones included (tagged <c>outcome=failed</c>).
/// </summary>
internal sealed class TimedMessageStore : IMessageStore
{
    private static readonly KeyValuePair<string, object?> s_committed = new("outcome", "committed");
    private static readonly KeyValuePair<string, object?> s_failed = new("outcome", "failed");

    private readonly IMessageStore _inner;
    private readonly Histogram<double> _duration;

    public TimedMessageStore(IMessageStore inner, IMeterFactory meterFactory)
    {
        _inner = inner;
        _duration = meterFactory.Create(ServerMetrics.MeterName).CreateHistogram(
            "tcpmsg.store.commit.duration",
            "s",
            "Time one commit (one batch of messages) took",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    }

    /// <summary>The store that does the work.</summary>
    public IMessageStore Inner => _inner;

    public bool IsShared => _inner.IsShared;

    public void Open() => _inner.Open();

    public void Append(IReadOnlyList<PendingMessage> messages)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = s_failed;
        try
        {
            _inner.Append(messages);
            outcome = s_committed;
        }
        finally
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, outcome);
        }
    }

    public long GetLastSequence(string clientId) => _inner.GetLastSequence(clientId);

    public void Dispose() => _inner.Dispose();
}
