using System.Net;
using TcpMsg.Server;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>Received messages built by hand, for store tests that need no socket.</summary>
public static class TestMessages
{
    private static readonly ConnectionInfo s_connection = new("test-connection", new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 2023), DateTimeOffset.UtcNow);

    public static ReceivedMessage Plain(string text, DateTimeOffset? at = null, ConnectionInfo? from = null, byte[]? raw = null) =>
        new(from ?? s_connection, at ?? DateTimeOffset.UtcNow, text, System.Text.Encoding.UTF8.GetByteCount(text), MessageFraming.Line, raw);

    public static ReceivedMessage Confirmed(string clientId, long sequence, string text) =>
        new(s_connection, DateTimeOffset.UtcNow, text, System.Text.Encoding.UTF8.GetByteCount(text), MessageFraming.Confirmed, null, clientId, sequence);

    public static ConnectionInfo From(string address, int port) =>
        new($"conn-{address}-{port}", new IPEndPoint(IPAddress.Parse(address), port), new IPEndPoint(IPAddress.Loopback, 2023), DateTimeOffset.UtcNow);
}
