using TcpMsg.Storage;
using TcpMsg.Storage.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage;

public sealed class MessageHistoryTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private readonly SqliteMessageStore _store;

    public MessageHistoryTests()
    {
        _store = new SqliteMessageStore(StoreOptions.Default with { Path = _directory.File("h.db") });
        _store.Open();
        var alice = TestMessages.From("10.0.0.1", 1000);
        var bob = TestMessages.From("::1", 2000);
        _store.Append([.. Enumerable.Range(0, 100).Select(i => TestMessages.Plain($"message {i} {(i % 10 == 0 ? "needle" : "hay")}", s_start.AddMinutes(i), i % 2 == 0 ? alice : bob))]);
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void The_limit_takes_the_newest_and_returns_them_oldest_first()
    {
        using var history = MessageHistory.Open(_directory.File("h.db"));

        var last = history.Read(HistoryQuery.Default with { Limit = 3 });

        Assert.Equal(["message 97 hay", "message 98 hay", "message 99 hay"], last.Select(m => m.Text));
        Assert.Equal(50, history.Read(HistoryQuery.Default).Count);
    }

    [Fact]
    public void Filters_combine()
    {
        using var history = MessageHistory.Open(_directory.File("h.db"));

        var window = history.Read(HistoryQuery.Default with { Since = s_start.AddMinutes(10), Until = s_start.AddMinutes(20), Limit = 1000 });
        var fromAlice = history.Read(HistoryQuery.Default with { FromAddress = "10.0.0.1", Limit = 1000 });
        var fromBobPort = history.Read(HistoryQuery.Default with { FromAddress = "::1", FromPort = 2000, Limit = 1000 });
        var needles = history.Read(HistoryQuery.Default with { Contains = "needle", Limit = 1000 });
        var aliceNeedlesEarly = history.Read(HistoryQuery.Default with { Contains = "needle", FromAddress = "10.0.0.1", Until = s_start.AddMinutes(35) });

        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"message {i}"), window.Select(m => string.Join(' ', m.Text.Split(' ')[..2])));
        Assert.Equal(50, fromAlice.Count);
        Assert.All(fromAlice, m => Assert.Equal("10.0.0.1", m.PeerAddress));
        Assert.Equal(50, fromBobPort.Count);
        Assert.Equal("[::1]:2000", fromBobPort[0].PeerEndPoint);
        Assert.Equal(10, needles.Count);
        Assert.Equal(["message 0 needle", "message 10 needle", "message 20 needle", "message 30 needle"], aliceNeedlesEarly.Select(m => m.Text));
    }

    [Fact]
    public async Task Following_yields_what_exists_then_new_commits_as_they_happen()
    {
        using var history = MessageHistory.Open(_directory.File("h.db"));
        using var cancel = new CancellationTokenSource(TestTimeouts.Default);
        var seen = new List<string>();

        await foreach (var message in history.FollowAsync(HistoryQuery.Default with { Limit = 2 }, cancel.Token))
        {
            seen.Add(message.Text);
            if (seen.Count == 2)
            {
                // Written by the store's own connection, as a server would, while we follow.
                _store.Append([TestMessages.Plain("live one"), TestMessages.Plain("live two")]);
            }

            if (seen.Count == 4)
            {
                break;
            }
        }

        Assert.Equal(["message 98 hay", "message 99 hay", "live one", "live two"], seen);
    }

    [Fact]
    public void A_missing_store_is_a_clear_error()
    {
        var error = Assert.Throws<StoreException>(() => MessageHistory.Open(_directory.File("missing.db")));

        Assert.Equal(StoreFailure.CannotOpen, error.Failure);
        Assert.Contains("no store at", error.Message, StringComparison.Ordinal);
    }
}
