using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Gives memory back to the system once a burst is over. The bytes of a burst (long messages in the
/// <see cref="ReadBudget"/>, batches in the dispatcher's queue, the transports' 4 KiB buffers from
/// the shared array pool) are ordinary GC memory; once their connections close they are garbage, but
/// a server that then goes quiet allocates nothing, so no collection comes to take them back, and
/// the process kept 2-3 GB for good after 1,000 connections of 1 MB each (issue 19). Told by the
/// deadline sweep how things stand, this asks for one compacting collection that also returns the
/// freed memory to the system (<see cref="GCCollectionMode.Aggressive"/>), once, when the server
/// held at least <see cref="BurstBytes"/> and now holds an eighth of that or less, for
/// <see cref="s_quiet"/>: a pause of milliseconds after a burst, never during one.
/// </summary>
internal sealed partial class MemoryTrimmer
{
    /// <summary>A burst worth giving back: below this, what the GC keeps is not worth a collection.</summary>
    public const long BurstBytes = 32L * 1024 * 1024;

    private static readonly TimeSpan s_quiet = TimeSpan.FromSeconds(2);

    private readonly ReadBudget _budget;
    private readonly MessagePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _peak;
    private long _quietSince;
    private long _trims;

    public MemoryTrimmer(ReadBudget budget, MessagePipeline pipeline, TimeProvider time, ILogger<MemoryTrimmer> logger)
    {
        _budget = budget;
        _pipeline = pipeline;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many times memory was given back.</summary>
    public long Trims => Interlocked.Read(ref _trims);

    /// <summary>Called by every sweep: notes how much is held, and gives memory back when a burst is over.</summary>
    public void Observe(long now)
    {
        var held = _budget.Buffered + _pipeline.PendingBytes;
        _peak = Math.Max(_peak, Math.Max(held, _budget.TakePeak() + _pipeline.PendingBytes));
        if (_peak < BurstBytes || held > _peak / 8)
        {
            _quietSince = 0;
            return;
        }

        if (_quietSince == 0)
        {
            _quietSince = now;
            return;
        }

        if (_time.GetElapsedTime(_quietSince, now) >= s_quiet)
        {
            Trim(_peak);
            _peak = held;
            _quietSince = 0;
        }
    }

    private void Trim(long peak)
    {
        var before = Environment.WorkingSet;
        _budget.DropKeptChunks();
        _pipeline.DropKeptLargeBuffers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _trims);
        LogTrimmed(peak >> 20, before >> 20, Environment.WorkingSet >> 20);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A burst of {PeakMiB} MiB held is over: memory given back, resident {BeforeMiB} MiB -> {AfterMiB} MiB")]
    private partial void LogTrimmed(long peakMiB, long beforeMiB, long afterMiB);
}
