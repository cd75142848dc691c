using Microsoft.Data.Sqlite;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

/// <summary>
/// An ACK, and WELCOME's last sequence, mean "every sequence up to here of this sender is stored":
/// after a batch fails, no later message of the same connection may commit past the gap.
/// </summary>
public sealed class AckMeansStoredTests : LoopbackTest
{
    [Fact]
    public async Task After_a_store_failure_no_later_message_of_the_connection_commits_past_the_gap()
    {
        await using var server = await StartAsync();
        await using var client = await FrameClient.ConnectAsync(server.EndPoint, "gap");
        Assert.Equal(0, Welcome(await client.ReadFrameAsync()).LastSequence);

        // Message 1 fails (the store is locked); then the store works again and message 2 arrives.
        using (Lock())
        {
            await client.SendMessageAsync(1, "one");
            var refused = await client.ReadFrameAsync();
            Assert.Equal((1L, ProtocolErrorCode.StoreFailed), (((ErrorFrame)refused!.Frame).Sequence, ((ErrorFrame)refused.Frame).Code));
        }

        await TrySendAsync(client, 2, "two");
        var rest = await ReadToEndAsync(client);

        // Message 2 is refused (or never read: the connection closes), never acknowledged.
        Assert.DoesNotContain(rest, f => f.Type == FrameType.Ack);
        Assert.Contains(rest, f => f.Frame is ErrorFrame { Sequence: 0, Code: ProtocolErrorCode.StoreFailed });
        await using var again = await FrameClient.ConnectAsync(server.EndPoint, "gap");
        Assert.Equal(0, Welcome(await again.ReadFrameAsync()).LastSequence);
        Assert.Equal(0L, CountStored("gap"));
    }

    [Fact]
    public async Task A_sequence_going_backwards_on_a_connection_is_a_protocol_error_and_is_not_stored()
    {
        await using var server = await StartAsync();
        await using var client = await FrameClient.ConnectAsync(server.EndPoint, "back");
        Welcome(await client.ReadFrameAsync());
        await client.SendMessageAsync(5, "five");
        await client.ReadUntilAsync(f => f.Frame is AckFrame { Sequence: 5 });
        await client.SendMessageAsync(3, "three");
        var frames = await ReadToEndAsync(client);

        Assert.Contains(frames, f => f.Frame is ErrorFrame { Sequence: 0, Code: ProtocolErrorCode.Protocol });
        Assert.Equal(1L, CountStored("back"));
    }

    [Fact]
    public async Task A_sequence_below_the_highest_stored_one_is_a_duplicate_even_where_the_sender_jumped()
    {
        await using var server = await StartAsync();
        await using (var first = await FrameClient.ConnectAsync(server.EndPoint, "jump"))
        {
            Welcome(await first.ReadFrameAsync());
            await first.SendMessageAsync(1, "one");
            await first.SendMessageAsync(5, "five");
            await first.ReadUntilAsync(f => f.Frame is AckFrame { Sequence: 5 });
        }

        await Eventually.UntilAsync(() => server.Server.Statistics.ActiveConnections == 0, "the first connection to end");
        await using var second = await FrameClient.ConnectAsync(server.EndPoint, "jump");
        Assert.Equal(5, Welcome(await second.ReadFrameAsync()).LastSequence);
        await second.SendMessageAsync(3, "three, inside the jump");
        var ack = await second.ReadUntilAsync(f => f.Type == FrameType.Ack);

        Assert.Equal(3, ((AckFrame)ack[^1].Frame).Sequence);
        Assert.Equal(2L, CountStored("jump"));
    }

    private static WelcomeFrame Welcome(FrameHarness.Decoded? frame) =>
        frame?.Frame as WelcomeFrame ?? throw new InvalidOperationException($"expected WELCOME, got {frame?.Type.ToString() ?? "the end"}");

    private static async Task TrySendAsync(FrameClient client, long sequence, string text)
    {
        try
        {
            await client.SendMessageAsync(sequence, text);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The server may have closed the connection already: then the message was certainly not stored.
            return;
        }
    }

    private static async Task<List<FrameHarness.Decoded>> ReadToEndAsync(FrameClient client)
    {
        var frames = new List<FrameHarness.Decoded>();
        try
        {
            while (await client.ReadFrameAsync() is { } frame)
            {
                frames.Add(frame);
            }
        }
        catch (IOException)
        {
            // Reset after the last frame: the frames read are what counts.
            return frames;
        }

        return frames;
    }

    private long CountStored(string clientId)
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages WHERE client_id = $c";
        command.Parameters.AddWithValue("$c", clientId);
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Lock()
    {
        var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE";
        command.ExecuteNonQuery();
        return connection;
    }

    private string StorePath => Temp.File("acks.db");

    private Task<TestServer> StartAsync() =>
        TestServer.StartAsync(TcpMsgServerOptions.Default with { Store = StoreOptions.Default with { Path = StorePath, BusyTimeout = TimeSpan.FromMilliseconds(200) } });
}
