using Microsoft.Data.Sqlite;
using TcpMsg.Storage;
using TcpMsg.Storage.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage;

/// <summary>
/// A store written by an earlier tcpmsg opens and is upgraded in place. Fixtures/store-v4.db was made
/// by the code of schema version 4 (one row per message with its connection's facts and syslog
/// columns), before version 5: plain lines (Chinese, a chat sender, invalid UTF-8), two syslog
/// messages (RFC 5424 and RFC 3164) and confirmed senders "sensor-1" (sequences 1-5, over TLS with
/// a client certificate) and "other" (1 and 3).
/// </summary>
public sealed class StoreUpgradeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string StorePath => _directory.File("store.db");

    [Fact]
    public void A_version_4_store_is_upgraded_in_place_with_its_messages_ids_and_sequences()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "store-v4.db"), StorePath);
        Assert.Equal(4, UserVersion());

        using (var store = new SqliteMessageStore(StoreOptions.Default with { Path = StorePath }))
        {
            store.Open();
            Assert.Equal(SqliteSchema.CurrentVersion, UserVersion());
            Assert.Equal(5, store.GetLastSequence("sensor-1"));
            Assert.Equal(3, store.GetLastSequence("other"));

            // An old sequence sent again is a duplicate with its first id; a new one is stored after the old ids.
            var again = TestMessages.Confirmed("sensor-1", 3, "reading 3");
            var skipped = TestMessages.Confirmed("other", 2, "other 2");
            var next = TestMessages.Confirmed("sensor-1", 6, "reading 6");
            store.Append([again, skipped, next]);
            Assert.True(again.IsDuplicate);
            Assert.Equal(8, again.Id);
            Assert.Equal(14, next.Id);
            Assert.False(next.IsDuplicate);
        }

        using var history = MessageHistory.Open(StorePath);
        var stored = history.Read(HistoryQuery.Default with { Limit = 100 });
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], stored.Select(m => m.Id));
        Assert.Equal("你好,世界!!!", stored[0].Text);
        Assert.Equal(("192.0.2.7", 51000, "c-plain", "line"), (stored[0].PeerAddress, stored[0].PeerPort, stored[0].ConnectionId, stored[0].Framing));
        Assert.Equal("alice", stored[1].Sender);
        Assert.Equal([0x61, 0xFF, 0x62], stored[2].RawBytes);
        Assert.Equal(("rfc5424", 4, 2, "web01", "nginx", "upstream timed out"), (stored[3].Syslog!.Format, stored[3].Syslog!.Facility, stored[3].Syslog!.Severity, stored[3].Syslog!.Host, stored[3].Syslog!.App, stored[3].Syslog!.Body));
        Assert.Equal(("rfc3164", "db01", "postgres", "77"), (stored[4].Syslog!.Format, stored[4].Syslog!.Host, stored[4].Syslog!.App, stored[4].Syslog!.ProcId));
        Assert.Null(stored[5].Syslog);
        Assert.Equal([("sensor-1", 1L), ("sensor-1", 2L), ("sensor-1", 3L), ("sensor-1", 4L), ("sensor-1", 5L), ("other", 1L), ("other", 3L), ("other", 2L), ("sensor-1", 6L)],
            stored.Skip(5).Select(m => (m.ClientId!, m.Sequence)));
        Assert.All(stored.Skip(5).Take(7), m => Assert.Equal(("::1", 52000, "CN=sensor-1", "confirmed"), (m.PeerAddress, m.PeerPort, m.ClientCertificate!, m.Framing)));
        Assert.Equal(2, history.Read(HistoryQuery.Default with { App = "nginx" }).Concat(history.Read(HistoryQuery.Default with { Host = "db01" })).Count());
        Assert.Equal(7, history.Read(HistoryQuery.Default with { FromAddress = "::1", Limit = 7 }).Count);

        // One row per connection (and framing), not one per message.
        Assert.Equal(2L, Scalar("SELECT count(*) FROM connections WHERE connection_id IN ('c-plain', 'c-tls')"));
    }

    [Fact]
    public void History_on_a_store_not_yet_upgraded_says_to_start_the_server_once()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "store-v4.db"), StorePath);

        var error = Assert.Throws<StoreException>(() => MessageHistory.Open(StorePath));

        Assert.Contains("a server started once with it as its store upgrades it in place", error.Message, StringComparison.Ordinal);
        Assert.Contains(StorePath, error.Message, StringComparison.Ordinal);
    }

    private long UserVersion() => Scalar("PRAGMA user_version");

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
