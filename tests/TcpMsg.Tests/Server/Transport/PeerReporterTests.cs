using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
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
        using var harness = new Harness();
        var (clock, sink, pipeline, reporter) = harness;

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

    [Fact]
    public async Task What_is_still_counted_when_the_server_stops_is_reported_then()
    {
        using var harness = new Harness();
        var (clock, sink, pipeline, reporter) = harness;

        reporter.Report(From("192.0.2.1:1000"), TcpMsgErrorCode.AccessDenied, "first");
        reporter.ReportConnectionLimit(From("192.0.2.7:1000"), 10);
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            reporter.Report(From($"192.0.2.1:{1001 + i}"), TcpMsgErrorCode.AccessDenied, $"again {i}");
            reporter.ReportConnectionLimit(From($"192.0.2.{8 + i}:1000"), 10);
        }

        // The host stops well inside both quiet intervals: the counts are summed up now, not dropped.
        await reporter.StopAsync(TestContext.Current.CancellationToken);
        reporter.Report(From("192.0.2.1:2000"), TcpMsgErrorCode.AccessDenied, "after the stop");
        await pipeline.CompleteAsync(TestContext.Current.CancellationToken);

        var reports = sink.OfType<ConnectionError>();
        Assert.Equal(5, reports.Count);
        Assert.Equal(["first", "refused 192.0.2.7:1000: the server is at its limit of 10 connections"], reports.Take(2).Select(r => r.Detail));
        Assert.Equal(
            ["3 more from 192.0.2.1 in the last 60 s; last: again 2", "refused 3 more connections (last 192.0.2.10:1000): the server is at its limit of 10 connections"],
            reports.Skip(2).Take(2).Select(r => r.Detail).Order(StringComparer.Ordinal));
        Assert.All(reports.Skip(2).Take(2), r => Assert.Equal(3, r.Value));
        Assert.Equal("after the stop", reports[4].Detail);
    }

    [Fact]
    public async Task Refusals_at_the_connection_limit_are_summed_up_every_second_from_every_address()
    {
        using var harness = new Harness();
        var (clock, sink, pipeline, reporter) = harness;

        reporter.ReportConnectionLimit(From("192.0.2.1:1000"), 2);
        reporter.ReportConnectionLimit(From("192.0.2.2:1000"), 2);
        reporter.ReportConnectionLimit(From("192.0.2.3:1000"), 2);

        // Due a second after the first: the reporter's own timer, on the fake clock, sums them up then.
        // The pipeline keeps order, so once a marker published after 999 ms is in, so would be a summary.
        clock.Advance(TimeSpan.FromMilliseconds(999));
        pipeline.Publish(new ClientConnected(From("198.51.100.1:1"), clock.GetUtcNow()));
        await Eventually.UntilAsync(() => sink.OfType<ClientConnected>().Count == 1, "the marker");
        Assert.Single(sink.OfType<ConnectionError>());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.UntilAsync(() => sink.OfType<ConnectionError>().Count == 2, "the summary");

        var summary = sink.OfType<ConnectionError>()[1];
        Assert.Equal("refused 2 more connections (last 192.0.2.3:1000): the server is at its limit of 2 connections", summary.Detail);
        Assert.Equal((TcpMsgErrorCode.ConnectionLimit, 2L, 2L), (summary.Code, summary.Value, summary.Limit));
        await pipeline.CompleteAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A reporter on a fake clock, publishing into a started pipeline whose sink collects what it dispatches.</summary>
    private sealed class Harness : IDisposable
    {
        private readonly FakeTimeProvider _clock = FakeClock.Create();
        private readonly CollectingSink _sink = new();
        private readonly MessagePipeline _pipeline;
        private readonly PeerReporter _reporter;

        public Harness()
        {
            _pipeline = new MessagePipeline([_sink], TcpMsgServerOptions.Default, new ServerStatistics(), NullLogger<MessagePipeline>.Instance);
            _pipeline.Start();
            _reporter = new PeerReporter(_pipeline, TcpMsgServerOptions.Default, _clock);
        }

        public void Deconstruct(out FakeTimeProvider clock, out CollectingSink sink, out MessagePipeline pipeline, out PeerReporter reporter) =>
            (clock, sink, pipeline, reporter) = (_clock, _sink, _pipeline, _reporter);

        public void Dispose()
        {
            _reporter.Dispose();
            _pipeline.Dispose();
        }
    }
}
