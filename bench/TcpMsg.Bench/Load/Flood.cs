using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TcpMsg.Bench.Load;

/// <summary>
/// The stress scenario's flood: <c>connections</c> connections from one address (127.0.0.9), each
/// sending lines as fast as the server reads them. A connection the server closes (refused at its
/// per-address cap) is opened again after <c>retry</c>, as a flood would. Runs on threads of its
/// own with non-blocking sockets and poll(), so that it does not share the thread pool (and its
/// queue) with the legitimate client it is measured against. Disposing resets every connection.
/// </summary>
internal sealed partial class Flood : IDisposable
{
    public const int LineSize = 64;
    private const int Threads = 2;
    private const int PollMilliseconds = 5;

    private readonly IPEndPoint _server;
    private readonly Slot[] _slots;
    private readonly long _retryTicks;
    private readonly Deadline _deadline;
    private readonly byte[] _chunk = Chunk();
    private readonly List<Thread> _threads = [];
    private volatile bool _stopping;
    private long _connected;
    private long _closedByServer;
    private long _connectFailures;
    private long _open;

    public Flood(IPEndPoint server, int connections, TimeSpan retry, Deadline deadline)
    {
        _server = server;
        _slots = [.. Enumerable.Range(0, connections).Select(_ => new Slot())];
        _retryTicks = (long)(retry.TotalSeconds * Stopwatch.Frequency);
        _deadline = deadline;
    }

    public static IPAddress Source { get; } = IPAddress.Parse("127.0.0.9");

    public int Connections => _slots.Length;

    /// <summary>Connections made (reopenings included).</summary>
    public long Connected => Interlocked.Read(ref _connected);

    /// <summary>Connections the server closed or reset: with tcpmsg's limits, those it refused.</summary>
    public long ClosedByServer => Interlocked.Read(ref _closedByServer);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    public long Open => Interlocked.Read(ref _open);

    public void Start()
    {
        for (var t = 0; t < Threads; t++)
        {
            var mine = _slots.Where((_, i) => i % Threads == t).ToArray();
            var thread = new Thread(() => Run(mine)) { IsBackground = true, Name = "flood" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _threads.ForEach(t => t.Join(TimeSpan.FromSeconds(15)));
        foreach (var slot in _slots)
        {
            if (slot.Socket is { } socket)
            {
                slot.Socket = null;
                Sockets.Reset(socket);
            }
        }
    }

    /// <summary>256 lines of <see cref="LineSize"/> bytes: what the flood sends, over and over.</summary>
    private static byte[] Chunk()
    {
        var line = Encoding.ASCII.GetBytes("flood " + new string('x', LineSize - 7) + "\n");
        return [.. Enumerable.Repeat(line, 256).SelectMany(l => l)];
    }

    private sealed class Slot
    {
        public Socket? Socket { get; set; }

        /// <summary>Where in the chunk the next send starts (a partial send leaves the rest for later).</summary>
        public int Offset { get; set; }

        public long RetryAt { get; set; }
    }
}
