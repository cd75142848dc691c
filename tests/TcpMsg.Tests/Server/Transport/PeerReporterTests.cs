using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using TcpMsg.Server;
using TcpMsg.Server.Internal;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Security;

public sealed class PeerReporterTests
{
    private static ConnectionInfo From(string endPoint) => new("c", IPEndPoint.Parse(endPoint), null, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task An_address_is_reported_at_once_then_summed_up_once_per_interval()
    {
        var clock = FakeClock.Create();
        var sink = new CollectingSink();
        using var pipeline = new MessagePipeline([sink], TcpMsgServerOptions.Default, new ServerStatistics(), NullLogger<MessagePipeline>.Instance);
        pipeline.Start();
        using var reporter = new PeerReporter(pipeline, TcpMsgServerOptions.Default, clock);

        reporter.Report(From("192.0.2.1:1000"), TcpMsgErrorCode.AccessDenied, "first");
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            reporter.Report(From($"192.0.2.1:{1001 + i}"), TcpMsgErrorCode.AccessDenied, $"again {i}");
        }

        reporter.Report(From("192.0.2.2:1000"), TcpMsgErrorCode.AccessDenied, "another address");
        reporter.Report(From("192.0.2.1:2000"), TcpMsgErrorCode.TlsHandshakeFailed, "another problem");
        // The minute is up: the reporter's timer (on the fake clock) sums up the five repeats.
        clock.Advance(TimeSpan.FromSeconds(11));
        reporter.Report(From("192.0.2.1:3000"), TcpMsgErrorCode.AccessDenied, "after the minute");
        clock.Advance(TimeSpan.FromSeconds(60));
        await pipeline.CompleteAsync(TestContext.Current.CancellationToken);

        var reports = sink.OfType<ConnectionError>();
        Assert.Equal(
            ["first", "another address", "another problem", "5 more from 192.0.2.1 in the last 60 s; last: again 4", "1 more from 192.0.2.1 in the last 60 s; last: after the minute"],
            reports.Select(r => r.Detail));
        Assert.Equal([1L, 1, 1, 5, 1], reports.Select(r => r.Value));
        Assert.Equal("192.0.2.1:3000", reports[^1].Connection.EndPoint);
    }
}
