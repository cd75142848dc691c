using System.Diagnostics.Metrics;
using TcpMsg.Client;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class MetricsTests : LoopbackTest
{
    [Fact]
    public async Task The_server_publishes_its_counters_as_dotnet_metrics()
    {
        await using var server = await TestServer.StartAsync();
        await using (var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: TestContext.Current.CancellationToken))
        {
            await client.SendAsync("measured", TestContext.Current.CancellationToken).WithTimeout();
            await client.SendAsync("twice", TestContext.Current.CancellationToken).WithTimeout();
        }

        // Other tests run servers in this process too: listen to this server's meter only.
        var factory = server.Server.Services.GetService(typeof(IMeterFactory));
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "TcpMsg.Server" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = seen.GetValueOrDefault(instrument.Name) + value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(2, seen["tcpmsg.messages.received"]);
        Assert.Equal(1, seen["tcpmsg.connections.accepted"]);
        Assert.True(seen["tcpmsg.received"] > 0);
        Assert.Contains("tcpmsg.store.backlog", seen.Keys);
    }
}
