using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;
using TcpMsg.Server;
using TcpMsg.Server.Internal.Transport;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// Issue 19's memory case: many connections from 20 addresses, within the default limits, each
/// sends one long message without its line end and holds it; then each ends it and closes. Figures:
/// the peer's resident memory idle, at its peak while the messages are held, and after the
/// connections closed, against the bound docs/operations.md gives for the defaults. The run fails
/// when the peak passes the bound or memory after the close is not back within 100 MiB of idle.
/// </summary>
internal sealed class MemoryScenario : Scenario
{
    private const int Addresses = 20;
    private const long AfterCloseSlackKib = 100 * 1024;
    private static readonly TimeSpan s_hold = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(20);

    private readonly int _connections;
    private readonly int _size;

    public MemoryScenario(string name, int connections, int size)
    {
        Name = name;
        _connections = connections;
        _size = size;
    }

    public override string Name { get; }

    public override bool IsThroughput => false;

    public override string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{_connections:N0} connections from {Addresses} addresses, each holds a {_size:N0}-byte message without its line end for {s_hold.TotalSeconds:0} s, then ends it and closes: peer RSS idle, peak, after the close");

    public override bool Supports(Peer peer) => peer is TcpMsgPeer;

    /// <summary>The bound of docs/operations.md at the defaults, in KiB, above the idle baseline.</summary>
    public long BoundKib(int connections)
    {
        var options = TcpMsgServerOptions.Default;
        var budget = new ReadBudget(options);
        var bytes = ((long)connections * ReadBudget.PerConnection) + (2 * budget.Capacity) + options.MaxPendingBytes;
        return bytes / 1024;
    }

    public override Task<ScenarioResult> RunAsync(ScenarioContext context) => Task.Run(() => RunAsync2(context));

    private async Task<ScenarioResult> RunAsync2(ScenarioContext context)
    {
        var payload = new Payload(_size);
        var result = context.NewResult(this);
        var peer = context.Peer;
        using var monitor = peer.CreateMonitor();
        monitor.Start();

        var idle = SettledRss(peer.Pid, TimeSpan.FromSeconds(3));
        using var peak = new RssPeak(peer.Pid);
        peak.Start();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var senders = Enumerable.Range(0, _connections).Select(i => SendAsync(context, payload, i, release.Task)).ToList();

        // Hold: until every body is in the kernel or the peer, and then some, bounded.
        var bodies = Task.WhenAll(senders.Select(s => s.Body));
        await Task.WhenAny(bodies, Task.Delay(context.Deadline.Remaining)).ConfigureAwait(false);
        await Task.Delay(s_hold).ConfigureAwait(false);
        var held = peak.Stop();
        peak.Start();
        release.SetResult();
        try
        {
            await Task.WhenAll(senders.Select(s => s.Done)).WaitAsync(context.Deadline.Remaining).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException or IOException)
        {
            result.Error ??= $"sending failed: {ex.Message}";
        }

        context.AwaitLines(monitor, context.ExpectedLines(_connections, _connections), result, "the messages and the disconnects");
        var top = Math.Max(held, peak.Stop());

        // After the close: the first reading back within the slack, or the last one when none is.
        var after = SettledRss(peer.Pid, s_settle, idle + AfterCloseSlackKib);
        var bound = BoundKib(_connections);
        result.Metrics["connections"] = _connections;
        result.Metrics["idle_mib"] = idle / 1024.0;
        result.Metrics["held_mib"] = held / 1024.0;
        result.Metrics["peak_mib"] = top / 1024.0;
        result.Metrics["after_close_mib"] = after / 1024.0;
        result.Metrics["bound_mib"] = (idle + bound) / 1024.0;
        if (top > idle + bound)
        {
            result.Error ??= string.Create(CultureInfo.InvariantCulture, $"peak {top / 1024.0:0} MiB is past the documented bound {(idle + bound) / 1024.0:0} MiB");
        }

        if (after > idle + AfterCloseSlackKib)
        {
            result.Error ??= string.Create(CultureInfo.InvariantCulture, $"{after / 1024.0:0} MiB after the close, more than 100 MiB above idle ({idle / 1024.0:0} MiB)");
        }

        result.Messages = _connections;
        result.WireBytes = (long)_connections * payload.LineSize;
        result.Verification = Verify(peer.OutputPath, payload, _connections);
        return result;
    }

    /// <summary>
    /// Every message once and intact, from whichever of the 20 addresses (the harness's
    /// <see cref="Verifier"/> knows only 127.0.0.1's lines as messages); read in pieces, the lines are long.
    /// </summary>
    private static Verification Verify(string path, Payload payload, int expected)
    {
        var separator = " sent a message>>>"u8.ToArray();
        var seen = new bool[expected];
        long intact = 0, duplicates = 0, damaged = 0;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        var buffer = new byte[payload.LineSize + 4096];
        var filled = 0;
        int read;
        while ((read = file.Read(buffer, filled, buffer.Length - filled)) > 0)
        {
            filled += read;
            var span = buffer.AsSpan(0, filled);
            int end;
            while ((end = span.IndexOf((byte)'\n')) >= 0)
            {
                var line = span[..end];
                span = span[(end + 1)..];
                var at = line.IndexOf(separator);
                if (at < 0)
                {
                    continue;
                }

                if (payload.TryMatch(line[(at + separator.Length)..], out var id) && id < expected)
                {
                    if (seen[id])
                    {
                        duplicates++;
                    }
                    else
                    {
                        seen[id] = true;
                        intact++;
                    }
                }
                else
                {
                    damaged++;
                }
            }

            span.CopyTo(buffer);
            filled = span.Length;
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }

        return new Verification { Expected = expected, Intact = intact, Missing = expected - intact, Duplicates = duplicates, Damaged = damaged + (filled > 0 ? 1 : 0) };
    }

    /// <summary>One connection: its message without the LF (the body), then once released the LF and a FIN, then the server's close.</summary>
    private static (Task Body, Task Done) SendAsync(ScenarioContext context, Payload payload, int id, Task release)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var line = new byte[payload.LineSize];
        payload.WriteLine(line, id);
        var body = BodyAsync();
        return (body, DoneAsync());

        async Task BodyAsync()
        {
            Sockets.BindTo(socket, IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.0.{1 + (id % Addresses)}")));
            await socket.ConnectAsync(context.Peer.EndPoint).ConfigureAwait(false);
            await SendAllAsync(line.AsMemory(0, payload.Size)).ConfigureAwait(false);
        }

        async Task DoneAsync()
        {
            try
            {
                await body.ConfigureAwait(false);
                await release.ConfigureAwait(false);
                await SendAllAsync(line.AsMemory(payload.Size)).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Send);
                var sink = new byte[256];
                while (await socket.ReceiveAsync(sink, SocketFlags.None).ConfigureAwait(false) > 0)
                {
                }
            }
            finally
            {
                socket.Dispose();
            }
        }

        async Task SendAllAsync(ReadOnlyMemory<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false)..];
            }
        }
    }

    /// <summary>RSS once it stops moving (two readings 500 ms apart within 1%) or, when given, falls to <paramref name="target"/>; at most <paramref name="limit"/> of waiting.</summary>
    private static long SettledRss(int pid, TimeSpan limit, long target = -1)
    {
        var until = Deadline.After(limit);
        var previous = ProcessInfo.RssKib(pid);
        while (!until.Passed)
        {
            Thread.Sleep(500);
            var current = ProcessInfo.RssKib(pid);
            if (current <= target || (target < 0 && Math.Abs(current - previous) <= previous / 100))
            {
                return current;
            }

            previous = current;
        }

        return previous;
    }
}
