using System.Net;
using Microsoft.Extensions.Hosting;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The one reporter of refused and failing peers. The first time an address has a given problem it
/// is reported at once; further attempts within <see cref="TcpMsgSecurityOptions.RefusalReportInterval"/>
/// are only counted, and summed up in one report when the interval ends. Refusals at the connection
/// limit are the server's, not one address's: they share one entry, summed up every second. So a
/// scanner or a flood costs one line per address (or per second) per interval, never one per attempt.
/// The table is bounded: past its size, new addresses share one summary. What is still counted when
/// the server stops is reported then, not lost.
/// </summary>
internal sealed class PeerReporter : IHostedService, IDisposable
{
    private const int MaxTracked = 4096;
    private static readonly TimeSpan s_limitInterval = TimeSpan.FromSeconds(1);

    private readonly MessagePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _tick;
    private readonly Lock _lock = new();
    private readonly Dictionary<(TcpMsgErrorCode Code, IPAddress? Address), Entry> _entries = [];
    private readonly ITimer _sweep;
    private long _nextSweep;
    private bool _stopped;

    public PeerReporter(MessagePipeline pipeline, TcpMsgServerOptions options, TimeProvider time)
    {
        _pipeline = pipeline;
        _time = time;
        _interval = options.Security.RefusalReportInterval;

        // Idle entries are cleared at this pace; a pending summary moves the next sweep to when it is due.
        _tick = TimeSpan.FromTicks(Math.Clamp(_interval.Ticks / 6, TimeSpan.TicksPerMillisecond * 20, TimeSpan.TicksPerSecond * 10));
        _nextSweep = time.GetTimestamp() + Ticks(_tick);
        _sweep = time.CreateTimer(static s => ((PeerReporter)s!).Sweep(), this, _tick, _tick);
    }

    /// <summary>
    /// Counts a repeated problem of <paramref name="address"/> for the next summary when its quiet
    /// interval is running, without anything built to describe it (a refusal at accept costs no more);
    /// false when this one is to be reported, with <see cref="Report"/>.
    /// </summary>
    public bool TryCountQuiet(TcpMsgErrorCode code, IPAddress address)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            (TcpMsgErrorCode, IPAddress?) key = (code, address);
            var entry = Find(ref key);
            if (_stopped || entry is null || now >= entry.QuietUntil)
            {
                return false;
            }

            Count(entry);
            return true;
        }
    }

    /// <summary>
    /// Reports a problem of <paramref name="connection"/>'s address, or counts it for the next summary.
    /// <paramref name="detail"/> is the reason alone; the event carries the peer.
    /// </summary>
    public void Report(ConnectionInfo connection, TcpMsgErrorCode code, string detail, long limit = 0) =>
        ReportOrCount((code, connection.RemoteEndPoint?.Address), connection, detail, limit, _interval);

    /// <summary>Reports a connection refused at the server's connection limit of <paramref name="limit"/>, or counts it for the next summary.</summary>
    public void ReportConnectionLimit(ConnectionInfo refused, int limit) =>
        ReportOrCount((TcpMsgErrorCode.ConnectionLimit, null), refused, $"refused {refused.EndPoint}: the server is at its limit of {limit} connections", limit, s_limitInterval);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Once Kestrel has stopped, before the dispatcher drains: what was counted and not yet summed up is reported now.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        List<(TcpMsgErrorCode Code, bool Shared, Entry Entry)>? due = null;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            // From now on every report goes out at once: there will be no later summary.
            _stopped = true;
            foreach (var (key, entry) in _entries)
            {
                if (entry.Suppressed > 0)
                {
                    (due ??= []).Add((key.Code, key.Address is null, entry.Copy()));
                }
            }

            _entries.Clear();
        }

        _sweep.Dispose();
        foreach (var (code, shared, entry) in due ?? [])
        {
            PublishSummary(code, shared, entry);
        }
    }

    private void ReportOrCount((TcpMsgErrorCode Code, IPAddress? Address) key, ConnectionInfo connection, string detail, long limit, TimeSpan interval)
    {
        var now = _time.GetTimestamp();
        Entry? due;
        bool shared;
        lock (_lock)
        {
            var entry = _stopped ? null : Find(ref key);
            if (entry is not null && now < entry.QuietUntil)
            {
                Count(entry);
                (entry.Last, entry.Detail, entry.Limit) = (connection, detail, limit);
                return;
            }

            // The window ended before the sweep summed it up: this attempt joins that summary.
            due = entry is { Suppressed: > 0 } ? entry.Copy() : null;
            if (due is not null)
            {
                due.Suppressed++;
                (due.Last, due.Detail, due.Limit) = (connection, detail, limit);
            }

            // What a summary of the attempts counted quietly will show, if none is reported in full meanwhile.
            if (!_stopped)
            {
                _entries[key] = new Entry { Interval = Ticks(interval), QuietUntil = now + Ticks(interval), Last = connection, Detail = detail, Limit = limit };
            }

            shared = key.Address is null;
        }

        if (due is not null)
        {
            PublishSummary(key.Code, shared, due);
        }
        else
        {
            _pipeline.Publish(new ConnectionError(connection, _time.GetUtcNow(), key.Code, detail, 1, limit));
        }
    }

    /// <summary>One more attempt for the summary; the sweep comes when the summary is due, if that is before the next tick. Under the lock.</summary>
    private void Count(Entry entry)
    {
        if (entry.Suppressed++ == 0 && entry.QuietUntil < _nextSweep)
        {
            _nextSweep = entry.QuietUntil;
            _sweep.Change(_time.GetElapsedTime(_time.GetTimestamp(), entry.QuietUntil), _tick);
        }
    }

    /// <summary>The entry of <paramref name="key"/>; past the table's size, a new address's key becomes the shared one. Under the lock.</summary>
    private Entry? Find(ref (TcpMsgErrorCode Code, IPAddress? Address) key)
    {
        if (!_entries.TryGetValue(key, out var entry) && _entries.Count >= MaxTracked)
        {
            key = (key.Code, null);
            _entries.TryGetValue(key, out entry);
        }

        return entry;
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        List<(TcpMsgErrorCode Code, bool Shared, Entry Entry)>? due = null;
        lock (_lock)
        {
            _nextSweep = now + Ticks(_tick);
            foreach (var (key, entry) in _entries)
            {
                if (now < entry.QuietUntil)
                {
                    continue;
                }

                if (entry.Suppressed == 0)
                {
                    _entries.Remove(key);
                    continue;
                }

                (due ??= []).Add((key.Code, key.Address is null, entry.Copy()));
                entry.Suppressed = 0;
                entry.QuietUntil = now + entry.Interval;
            }
        }

        foreach (var (code, shared, entry) in due ?? [])
        {
            PublishSummary(code, shared, entry);
        }
    }

    private void PublishSummary(TcpMsgErrorCode code, bool shared, Entry entry)
    {
        var detail = code == TcpMsgErrorCode.ConnectionLimit && shared
            ? $"refused {entry.Suppressed} more connections (last {entry.Last!.EndPoint}): the server is at its limit of {entry.Limit} connections"
            : $"{entry.Suppressed} more from {(shared ? "many addresses" : entry.Last!.Address)} in the last {TimeSpan.FromSeconds(entry.Interval / (double)_time.TimestampFrequency).TotalSeconds:0.###} s; last: {entry.Detail}";
        _pipeline.Publish(new ConnectionError(entry.Last!, _time.GetUtcNow(), code, detail, entry.Suppressed, entry.Limit));
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private sealed class Entry
    {
        public long Interval;
        public long QuietUntil;
        public long Suppressed;
        public ConnectionInfo? Last;
        public string? Detail;
        public long Limit;

        public Entry Copy() => (Entry)MemberwiseClone();
    }
}
