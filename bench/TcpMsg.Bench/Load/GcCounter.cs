using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace TcpMsg.Bench.Load;

/// <summary>
/// Counts the garbage collections of a .NET peer while a load runs, by generation: an EventPipe session
/// on the peer's diagnostics port (the runtime's own events, GC keyword only, no stacks), the way
/// dotnet-trace reads them. A peer without one (rsyslog, a NativeAOT build) is not counted.
/// </summary>
internal sealed class GcCounter
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    private readonly EventPipeSession _session;
    private readonly Task _reader;
    private readonly int[] _collections = new int[3];

    private GcCounter(EventPipeSession session)
    {
        _session = session;
        _reader = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            source.Clr.GCStart += collection =>
            {
                if (collection.Depth is >= 0 and < 3)
                {
                    Interlocked.Increment(ref _collections[collection.Depth]);
                }
            };
            source.Process();
        });
    }

    /// <summary>Starts counting the collections of process <paramref name="pid"/>; null when it has no diagnostics port.</summary>
    public static GcCounter? TryStart(int pid)
    {
        try
        {
            var provider = new EventPipeProvider(RuntimeProvider, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC);
            return new GcCounter(new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false));
        }
        catch (Exception ex) when (ex is DiagnosticsClientException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stops the session and returns the collections seen since the start: gen0, gen1, gen2.</summary>
    public (int Gen0, int Gen1, int Gen2) Stop()
    {
        try
        {
            _session.Stop();
            _reader.Wait(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is DiagnosticsClientException or IOException or TimeoutException or ObjectDisposedException or AggregateException)
        {
            // The peer exited: what was seen until then is the count.
        }
        finally
        {
            _session.Dispose();
        }

        return (Volatile.Read(ref _collections[0]), Volatile.Read(ref _collections[1]), Volatile.Read(ref _collections[2]));
    }
}
