using System.Text;
using TcpMsg.Server.Internal.Chat;
using TcpMsg.Storage;
using TcpMsg.Storage.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Chat;

public sealed class ChatBacklogTests : IDisposable
{
    private const int Stored = 3 * ChatBacklog.PageSize + 100;
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private readonly SqliteMessageStore _store;

    public ChatBacklogTests()
    {
        _store = new SqliteMessageStore(StoreOptions.Default with { Path = _directory.File("chat.db") });
        _store.Open();
        var alice = TestMessages.From("10.0.0.1", 1000);
        var bob = TestMessages.From("::1", 2000);
        _store.Append([.. Enumerable.Range(1, Stored).Select(i => TestMessages.Plain(i == 7 ? "bell\u0007" : $"message {i}", s_start.AddSeconds(i), i % 2 == 0 ? alice : bob))]);
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Members_catching_up_together_share_one_store_read_per_page_and_each_gets_every_message_once_in_order()
    {
        using var backlog = new ChatBacklog(_directory.File("chat.db"));

        // Ten members behind, each from a different point of the first page.
        var members = await Task.WhenAll(Enumerable.Range(0, 10).Select(m => Task.Run(() => CatchUpAsync(backlog, m * 3))));

        for (var m = 0; m < members.Length; m++)
        {
            Assert.Equal(Enumerable.Range((m * 3) + 1, Stored - (m * 3)).Select(i => (long)i), members[m].Select(e => e.Key));
        }

        // Four pages (the last one short), each read once, not once per member.
        Assert.Equal(4, backlog.Reads);
    }

    [Fact]
    public async Task A_stored_message_comes_back_as_the_line_and_frame_a_live_one_gets()
    {
        using var backlog = new ChatBacklog(_directory.File("chat.db"));

        var page = await backlog.ReadAsync(5, TestContext.Current.CancellationToken);

        var bell = page[1];
        var line = Encoding.UTF8.GetString(bell.Line());
        Assert.Equal(7, bell.Key);
        Assert.EndsWith("] [::1]:2000> bell\\x07\n", line, StringComparison.Ordinal);
        Assert.True(bell.Frame(history: false).AsSpan().IndexOf("bell\u0007"u8) > 0);
        Assert.EndsWith("] 10.0.0.1:1000> message 6\n", Encoding.UTF8.GetString(page[0].Line()), StringComparison.Ordinal);
        Assert.NotNull(bell.StoredConnectionId);
    }

    [Fact]
    public async Task Nothing_after_the_last_stored_message_is_an_empty_page()
    {
        using var backlog = new ChatBacklog(_directory.File("chat.db"));

        Assert.Equal(0, (await backlog.ReadAsync(Stored, TestContext.Current.CancellationToken)).Count);
    }

    // As a member does: it reads the store up to what the room's window still holds (here, all of it).
    private static async Task<List<ChatEntry>> CatchUpAsync(ChatBacklog backlog, long after)
    {
        var got = new List<ChatEntry>();
        while (after < Stored)
        {
            var page = await backlog.ReadAsync(after, TestContext.Current.CancellationToken);
            got.AddRange(page);
            after = page[^1].Key;
        }

        return got;
    }
}
