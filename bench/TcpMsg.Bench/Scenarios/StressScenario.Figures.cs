using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;
using TcpMsg.Storage;

namespace TcpMsg.Bench.Scenarios;

/// <summary>The stress scenario's figures and checks: what the attack met, and whether every legitimate message was stored.</summary>
internal sealed partial class StressScenario
{
    private static void RecordAttack(StalledConnections stalled, Flood flood, ScenarioResult result)
    {
        foreach (var tally in stalled.Tallies)
        {
            var kind = tally.Kind.ToString().ToLowerInvariant();
            result.Metrics[$"stalled_{kind}_opened"] = tally.Opened;
            result.Metrics[$"stalled_{kind}_closed"] = tally.Closed;
            if (tally.HeldSeconds.Count > 0)
            {
                result.Metrics[$"stalled_{kind}_held_s"] = Statistics.Median(tally.HeldSeconds);
            }
        }

        result.Metrics["stalled_connect_failures"] = stalled.Tallies.Sum(t => t.ConnectFailures);
        result.Metrics["flood_connections"] = flood.Connected;
        result.Metrics["flood_refused"] = flood.ClosedByServer;
        result.Metrics["flood_connect_failures"] = flood.ConnectFailures;
    }

    private static void Report(ScenarioContext context, StressRun run, ScenarioResult result)
    {
        var reports = ServerReports.Read(context.Peer.ErrorPath);
        result.Metrics["server_message_timeouts"] = reports.MessageTimeouts;
        result.Metrics["server_handshake_timeouts"] = reports.HandshakeTimeouts;
        result.Metrics["server_refusals_reported"] = reports.Refusals;
        result.Metrics["server_refused_addresses"] = reports.RefusedAddresses;
        result.Messages = run.Sent;
        result.WireBytes = (long)run.Sent * run.Payload.LineSize;
        result.Verification = Verifier.Check(context.Peer, run.Payload, run.Sent);

        var peer = (TcpMsgPeer)context.Peer.Peer;
        if (peer.StorePath(Path.GetDirectoryName(context.Peer.OutputPath)!) is { } store)
        {
            try
            {
                var (distinct, rows) = CountStored(store, run.Payload, run.Sent);
                result.Metrics["legit_in_store"] = distinct;
                if (distinct != run.Sent || rows != run.Sent)
                {
                    result.Error ??= $"the store holds {distinct} of the legitimate client's {run.Sent} acknowledged messages intact, in {rows} rows from 127.0.0.1";
                }
            }
            catch (StoreException ex)
            {
                result.Error ??= $"cannot read the store: {ex.Message}";
            }
        }
    }

    /// <summary>The legitimate client's distinct intact messages in the store, and the store's rows from 127.0.0.1.</summary>
    private static (long Distinct, long Rows) CountStored(string path, Payload payload, int sent)
    {
        using var history = MessageHistory.Open(path);
        var messages = history.Read(HistoryQuery.Default with { FromAddress = "127.0.0.1", Limit = sent + 1000 });
        var seen = new bool[sent];
        long distinct = 0;
        foreach (var message in messages)
        {
            if (payload.TryMatch(System.Text.Encoding.UTF8.GetBytes(message.Text), out var id) && id < sent && !seen[id])
            {
                seen[id] = true;
                distinct++;
            }
        }

        return (distinct, messages.Count);
    }
}
