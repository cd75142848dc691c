using System.Text;
using TcpMsg.Server;
using TcpMsg.Server.Internal;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>MessageHistory on PostgreSQL: every filter of <c>history</c>, pages forward, counts and the chat room's catch-up.</summary>
public sealed class PostgresHistoryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset s_at = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_filter_reads_what_the_sqlite_store_would()
    {
        var url = await postgres.NewDatabaseAsync();
        using (var store = PostgresMessageStoreTests.Open(url))
        {
            store.Append(
            [
                TestMessages.Plain("first from one", s_at, TestMessages.From("10.0.0.1", 1000)),
                TestMessages.Plain("second from two", s_at.AddMinutes(10), TestMessages.From("10.0.0.2", 2000)),
                TestMessages.Plain("third from ipv6", s_at.AddMinutes(20), TestMessages.From("::1", 3000)),
                TestMessages.Confirmed("sender", 1, "Fourth 100% confirmed"),
                Syslog("<11>1 2026-11-25T08:30:00Z web nginx - - - err line", s_at.AddMinutes(30)),
                Syslog("<14>1 2026-11-25T08:31:00Z web nginx - - - info line", s_at.AddMinutes(31)),
            ]);
        }

        using var history = MessageHistory.Open(url);
        string[] Texts(HistoryQuery query) => [.. history.Read(query).Select(m => m.Text)];
        var all = HistoryQuery.Default;
        Assert.Equal(6, history.Read(all).Count);
        Assert.Equal(6, history.Count(all));
        Assert.Equal(["second from two", "third from ipv6"], Texts(all with { Since = s_at.AddMinutes(5), Until = s_at.AddMinutes(25) }));
        Assert.Equal(["second from two"], Texts(all with { FromAddress = "10.0.0.2" }));
        Assert.Equal(["third from ipv6"], Texts(all with { FromAddress = "::1", FromPort = 3000 }));
        Assert.Empty(Texts(all with { FromAddress = "::1", FromPort = 3001 }));
        Assert.Equal(["Fourth 100% confirmed"], Texts(all with { ClientId = "sender" }));

        // --contains: case-sensitive and literal (% and _ are themselves).
        Assert.Equal(["first from one", "second from two"], Texts(all with { Contains = "fro", Until = s_at.AddMinutes(15) }));
        Assert.Equal(["Fourth 100% confirmed"], Texts(all with { Contains = "100%" }));
        Assert.Empty(Texts(all with { Contains = "fourth" }));
        Assert.Empty(Texts(all with { Contains = "1_0" }));
        Assert.Equal(1, history.Count(all with { Contains = "%" }));

        Assert.Equal(["err line"], history.Read(all with { Severity = 3 }).Select(m => m.Syslog!.Body));
        Assert.Equal(2, history.Count(all with { App = "nginx", Host = "web" }));
        Assert.Equal(0, history.Count(all with { App = "apache" }));

        // The newest N, oldest first; pages forward by id with no gap.
        Assert.Equal(["Fourth 100% confirmed", "<11>1 2026-11-25T08:30:00Z web nginx - - - err line", "<14>1 2026-11-25T08:31:00Z web nginx - - - info line"], Texts(all with { Limit = 3 }));
        Assert.Equal([3L, 4L], history.ReadForward(all with { AfterId = 2, Limit = 2 }).Select(m => m.Id));
        Assert.Null(history.Removed());

        var chat = new List<(long, string, string)>();
        Assert.Equal(2, history.ReadChatForward(3, 2, (id, _, _, name, text) => chat.Add((id, name, Encoding.UTF8.GetString(text)))));
        Assert.Equal([(4L, "127.0.0.1:40000", "Fourth 100% confirmed"), (5L, "127.0.0.1:40001", "<11>1 2026-11-25T08:30:00Z web nginx - - - err line")], chat);
    }

    [Fact]
    public async Task A_store_that_no_server_made_yet_is_said_so()
    {
        var url = await postgres.NewDatabaseAsync();
        var refused = Assert.Throws<StoreException>(() => MessageHistory.Open(url));
        Assert.Contains("no tcpmsg store in PostgreSQL at 127.0.0.1:", refused.Message, StringComparison.Ordinal);
    }

    private static PendingMessage Syslog(string text, DateTimeOffset at)
    {
        var batch = new MessageBatch();
        batch.Reset(TestMessages.From("127.0.0.1", 40001), at, MessageFraming.Line, null, null, null);
        batch.Syslog = SyslogMode.Auto;
        batch.Add(Encoding.UTF8.GetBytes(text), null);
        return new PendingMessage(batch, 0);
    }
}
