using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Bench.Load;

/// <summary>
/// The stress scenario's stalled connections: <c>count</c> of them, an equal share of each
/// <see cref="StallKind"/>, spread over <c>addresses</c> source addresses (127.0.1.1, 127.0.1.2, ...).
/// Once they are open, one keeper thread polls them all, dribbles the slow-loris bytes and, as an
/// attacker would, opens again at once every connection the server closes, noting how long the
/// server held it. Disposing stops the keeper and resets them all.
/// </summary>
internal sealed partial class StalledConnections : IDisposable
{
    private const int OpeningThreads = 4;
    private static readonly TimeSpan s_pass = TimeSpan.FromMilliseconds(100);

    // A TLS ClientHello's record and handshake headers: what a TLS client sends a plain port first.
    private static readonly byte[] s_tlsHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];

    // Confirmed mode's preamble (docs/protocol.md), not followed by a HELLO.
    private static readonly byte[] s_preamble = [0x00, (byte)'t', (byte)'c', (byte)'p', (byte)'m', (byte)'s', (byte)'g', 0x01];

    // The slow-loris line, one byte a second; it never ends (no LF).
    private static readonly byte[] s_dribble = "GET /a-very-slow-request HTTP/1.1 X-Slow: "u8.ToArray();

    private readonly IPEndPoint _server;
    private readonly Slot[] _slots;
    private readonly StallTally[] _tallies = [.. Enum.GetValues<StallKind>().Select(k => new StallTally(k))];
    private readonly Deadline _deadline;
    private Thread? _keeper;
    private volatile bool _stopping;
    private int _open;
    private int _minOpen = int.MaxValue;

    public StalledConnections(IPEndPoint server, int count, int addresses, Deadline deadline)
    {
        _server = server;
        _deadline = deadline;
        var kinds = Enum.GetValues<StallKind>();
        _slots = [.. Enumerable.Range(0, count).Select(i => new Slot(kinds[i % kinds.Length], Address(i % addresses)))];
    }

    public int Count => _slots.Length;

    /// <summary>Connections open now, as the attacker sees them.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>The fewest connections open at the end of a keeper pass since <see cref="MarkMinimum"/>.</summary>
    public int MinimumOpen => Math.Min(Volatile.Read(ref _minOpen), Open);

    public IReadOnlyList<StallTally> Tallies => _tallies;

    /// <summary>The <paramref name="index"/>th source address: 127.0.1.1 onwards, 250 to each /24.</summary>
    public static IPAddress Address(int index) => new([127, 0, (byte)(1 + (index / 250)), (byte)(1 + (index % 250))]);

    /// <summary>Opens every connection (a few threads, bounded by the deadline); returns how many are open.</summary>
    public int OpenAll()
    {
        long next = -1;
        var threads = Enumerable.Range(0, OpeningThreads).Select(_ => new Thread(() =>
        {
            long n;
            while ((n = Interlocked.Increment(ref next)) < _slots.Length && !_deadline.Passed)
            {
                TryOpen(_slots[n]);
            }
        })
        { IsBackground = true, Name = "stalled opener" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join(_deadline.Remaining + TimeSpan.FromSeconds(15)));
        return Open;
    }

    /// <summary>Starts the keeper thread: dribbling, and reopening what the server closes, until disposed.</summary>
    public void StartKeeping()
    {
        _keeper = new Thread(Keep) { IsBackground = true, Name = "stalled keeper" };
        _keeper.Start();
    }

    /// <summary>Starts counting the fewest open connections afresh (at the start of the measured phase).</summary>
    public void MarkMinimum() => Volatile.Write(ref _minOpen, Open);

    public void Dispose()
    {
        _stopping = true;
        _keeper?.Join(TimeSpan.FromSeconds(30));
        foreach (var slot in _slots)
        {
            if (slot.Socket is { } socket)
            {
                slot.Socket = null;
                Sockets.Reset(socket);
            }
        }

        Volatile.Write(ref _open, 0);
    }

    private void TryOpen(Slot slot)
    {
        var tally = _tallies[(int)slot.Kind];
        Socket socket;
        try
        {
            socket = Sockets.Connect(_server, _deadline, from: slot.From);
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref tally.ConnectFailures);
            return;
        }

        slot.OpenedAt = Stopwatch.GetTimestamp();
        slot.NextByteAt = slot.OpenedAt;
        slot.Dribbled = 0;
        slot.Socket = socket;
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref tally.Opened);
        try
        {
            switch (slot.Kind)
            {
                case StallKind.Dribble:
                    Dribble(slot);
                    break;
                case StallKind.Garbage:
                    socket.Send(s_tlsHello);
                    break;
                case StallKind.Preamble:
                    socket.Send(s_preamble);
                    break;
            }
        }
        catch (SocketException)
        {
            // Closed at once (refused): the keeper's next poll sees it and counts it.
        }
    }

    private sealed class Slot(StallKind kind, IPAddress from)
    {
        public StallKind Kind { get; } = kind;

        public IPAddress From { get; } = from;

        public Socket? Socket { get; set; }

        public long OpenedAt { get; set; }

        public long NextByteAt { get; set; }

        public int Dribbled { get; set; }
    }
}
