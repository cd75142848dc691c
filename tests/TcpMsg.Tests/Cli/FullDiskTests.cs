using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// The unlucky operator: the store's disk fills up in the middle of a stream, then space comes back.
/// <c>tcpmsg send --retry</c> may only exit 0 when every line is stored exactly once, with no gap.
/// </summary>
public sealed class FullDiskTests : LoopbackTest
{
    private const int Lines = 3000;
    private const int Chunk = 100;

    [Fact]
    public async Task A_disk_that_fills_mid_stream_and_frees_loses_nothing_that_send_reported_delivered()
    {
        using var disk = new SmallFileSystem(20);
        var store = disk.File("store.db");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--retry", "90s", "--client-id", "R"]);

        // A third goes in while there is room.
        var next = await WriteLinesAsync(send, 1, Lines / 3);
        await Eventually.UntilAsync(() => CountStored(store) >= Lines / 6, "some lines to be stored", TestTimeouts.Extended);

        // The disk fills; lines keep coming until the store says it failed.
        disk.Fill("filler");
        while (!serve.Error.Contains("store failed", StringComparison.Ordinal))
        {
            Assert.True(next <= 2 * Lines / 3, $"the store never failed on a full disk (stderr: {serve.Error})");
            next = await WriteLinesAsync(send, next, Chunk);
            await Eventually.UntilAsync(
                () => serve.Error.Contains("store failed", StringComparison.Ordinal) || CountStored(store) >= next - 1 - Chunk,
                "the chunk to be stored or refused",
                TestTimeouts.Extended);
        }

        // Space comes back; the rest goes in; send finishes.
        File.Delete(disk.File("filler"));
        next = await WriteLinesAsync(send, next, Lines - next + 1);
        Assert.Equal(Lines + 1, next);
        send.CloseInput();
        var exit = await send.WaitForExitAsync(TestTimeouts.Extended);

        Assert.True(exit == 0, $"send exited {exit}: {send.Error}\nserve: {serve.Error}\nfiles: {Describe(disk)}");
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM messages WHERE client_id = 'R'";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal(((long)Lines, (long)Lines, 1L, (long)Lines), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        using var texts = connection.CreateCommand();
        texts.CommandText = "SELECT count(*) FROM messages WHERE client_id = 'R' AND substr(text, 1, length('line ' || seq || ' ')) <> 'line ' || seq || ' '";
        Assert.Equal(0L, Convert.ToInt64(texts.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    /// <summary>Writes lines <paramref name="first"/>.. (count of them), about 2 KiB each; returns the next number.</summary>
    private static async Task<int> WriteLinesAsync(ChildProcess send, int first, int count)
    {
        var text = new StringBuilder();
        for (var i = first; i < first + count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"line {i} ").Append('x', 2000).Append('\n');
        }

        await send.WriteInputAsync(text.ToString());
        return first + count;
    }

    /// <summary>The files on the small disk and the room left, for a failure message.</summary>
    private static string Describe(SmallFileSystem disk)
    {
        var files = string.Join(", ", new DirectoryInfo(disk.Path).GetFiles().Select(f => $"{f.Name} {f.Length}"));
        return $"{files}; free {new DriveInfo(disk.Path).AvailableFreeSpace}";
    }

    private static long CountStored(string store)
    {
        if (!File.Exists(store))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM messages WHERE client_id = 'R'";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            // Not created yet, or busy for a moment: counted again on the next poll.
            return 0;
        }
    }
}
