using System.Buffers;
using System.Net;
using System.Text;
using TcpMsg.Server;
using TcpMsg.Server.Internal;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>Received messages built by hand, for store tests that need no socket: each in a batch of its own, as the store gets them.</summary>
public static class TestMessages
{
    private static readonly ConnectionInfo s_connection = new("test-connection", new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 2023), DateTimeOffset.UtcNow);

    /// <summary>A plain message; with <paramref name="raw"/>, the bytes that came, not valid UTF-8 (its text is then theirs, with U+FFFD).</summary>
    internal static PendingMessage Plain(string text, DateTimeOffset? at = null, ConnectionInfo? from = null, byte[]? raw = null)
    {
        var batch = new MessageBatch();
        batch.Reset(from ?? s_connection, at ?? DateTimeOffset.UtcNow, MessageFraming.Line, null, null, null);
        if (raw is null)
        {
            batch.Add(Encoding.UTF8.GetBytes(text), null);
        }
        else
        {
            batch.AddInvalid(new ReadOnlySequence<byte>(raw), null);
        }

        return new PendingMessage(batch, 0);
    }

    internal static PendingMessage Confirmed(string clientId, long sequence, string text)
    {
        var batch = new MessageBatch();
        batch.Reset(s_connection, DateTimeOffset.UtcNow, MessageFraming.Confirmed, clientId, null, null);
        batch.Add(Encoding.UTF8.GetBytes(text), null, sequence);
        return new PendingMessage(batch, 0);
    }

    public static ConnectionInfo From(string address, int port) =>
        new($"conn-{address}-{port}", new IPEndPoint(IPAddress.Parse(address), port), new IPEndPoint(IPAddress.Loopback, 2023), DateTimeOffset.UtcNow);
}
