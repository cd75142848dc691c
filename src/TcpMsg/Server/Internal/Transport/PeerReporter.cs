using System.Net;
using Microsoft.Extensions.Hosting;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Reports refused and failing peers: the first time an address has a given problem it is reported
/// at once; further attempts within <see cref="TcpMsgSecurityOptions.RefusalReportInterval"/> are only
/// counted, and summed up in one report when the interval ends. So a scanner or a flood costs one line
/// per address per interval, never one per attempt. The table is bounded: past its size, new addresses
/// share one summary.
/// </summary>
internal sealed class PeerReporter : IHostedService, IDisposable
{
    private const int MaxTracked = 4096;

    private readonly MessagePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Lock _lock = new();
    private readonly Dictionary<(TcpMsgErrorCode Code, IPAddress? Address), Entry> _entries = [];
    private readonly ITimer _sweep;

    public PeerReporter(MessagePipeline pipeline, TcpMsgServerOptions options, TimeProvider time)
    {
        _pipeline = pipeline;
        _time = time;
        _interval = options.Security.RefusalReportInterval;

        // Summaries go out at most a sixth of the interval late (10 s for the default minute).
        var tick = TimeSpan.FromTicks(Math.Clamp(_interval.Ticks / 6, TimeSpan.TicksPerMillisecond * 20, TimeSpan.TicksPerSecond * 10));
        _sweep = time.CreateTimer(static s => ((PeerReporter)s!).Sweep(), this, tick, tick);
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
            if (entry is null || now >= entry.QuietUntil)
            {
                return false;
            }

            entry.Suppressed++;
            return true;
        }
    }

    /// <summary>
    /// Reports a problem of <paramref name="connection"/>'s address, or counts it for the next summary.
    /// <paramref name="detail"/> is the reason alone; the event carries the peer.
    /// </summary>
    public void Report(ConnectionInfo connection, TcpMsgErrorCode code, string detail, long limit = 0)
    {
        var now = _time.GetTimestamp();
        Entry? due;
        bool shared;
        lock (_lock)
        {
            var key = (code, connection.RemoteEndPoint?.Address);
            var entry = Find(ref key);

            if (entry is not null && now < entry.QuietUntil)
            {
                entry.Suppressed++;
                entry.Last = connection;
                entry.Detail = detail;
                entry.Limit = limit;
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
            _entries[key] = new Entry { QuietUntil = now + Ticks(_interval), Last = connection, Detail = detail, Limit = limit };
            shared = key.Item2 is null;
        }

        if (due is not null)
        {
            PublishSummary(code, shared, due);
        }
        else
        {
            _pipeline.Publish(new ConnectionError(connection, _time.GetUtcNow(), code, detail, 1, limit));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops summing up once Kestrel has stopped, before the dispatcher drains.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _sweep.Dispose();

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
                entry.QuietUntil = now + Ticks(_interval);
            }
        }

        foreach (var (code, shared, entry) in due ?? [])
        {
            PublishSummary(code, shared, entry);
        }
    }

    private void PublishSummary(TcpMsgErrorCode code, bool shared, Entry entry)
    {
        var who = shared ? "many addresses" : entry.Last!.Address;
        var detail = $"{entry.Suppressed} more from {who} in the last {_interval.TotalSeconds:0.###} s; last: {entry.Detail}";
        _pipeline.Publish(new ConnectionError(entry.Last!, _time.GetUtcNow(), code, detail, entry.Suppressed, entry.Limit));
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private sealed class Entry
    {
        public long QuietUntil;
        public long Suppressed;
        public ConnectionInfo? Last;
        public string? Detail;
        public long Limit;

        public Entry Copy() => (Entry)MemberwiseClone();
    }
}
