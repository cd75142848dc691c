using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TcpMsg.Storage;
using TcpMsg.Storage.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage;

/// <summary>history --contains on the trigram index (serve --search-index), on real store files.</summary>
public sealed class SearchIndexTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string StorePath => _directory.File("store.db");

    [Fact]
    public void Contains_finds_substrings_in_any_script_through_the_index_and_in_what_is_not_indexed_yet()
    {
        using var store = Open();
        store.Append([TestMessages.Plain("你好,世界!!!"), TestMessages.Plain("hello World"), TestMessages.Plain("100% done_ok"), TestMessages.Plain("world of others")]);
        using var indexer = Indexer();
        Assert.Equal(4, indexer.RunOnce());

        // Committed after the index was brought up to date: found too, by reading.
        store.Append([TestMessages.Plain("新的世界 later")]);

        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(["你好,世界!!!"], Texts(history, "好,世界"));
        Assert.Equal(["你好,世界!!!", "新的世界 later"], Texts(history, "世界"));
        Assert.Equal(["hello World"], Texts(history, "World"));
        Assert.Equal(["world of others"], Texts(history, "world"));
        Assert.Equal(["100% done_ok"], Texts(history, "0% done_"));
        Assert.Empty(Texts(history, "0x done"));
        Assert.Equal(2, history.Count(HistoryQuery.Default with { Contains = "世界" }));

        // The index answers: SQLite's plan reads the trigram index, not every message.
        Assert.Contains("VIRTUAL TABLE INDEX", Plan("SELECT rowid FROM search WHERE search.text LIKE '%好,世界%'"), StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_takes_removed_messages_out_of_the_index()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        using var store = Open();
        store.Append([TestMessages.Plain("old needle", time.GetUtcNow().AddDays(-2)), TestMessages.Plain("new needle", time.GetUtcNow())]);
        using (var indexer = Indexer())
        {
            indexer.RunOnce();
        }

        var options = StoreOptions.Default with { Path = StorePath, Retain = TimeSpan.FromDays(1) };
        using (var retention = new StoreRetention($"Data Source={StorePath};Pooling=False", options, time, NullLogger.Instance, start: false))
        {
            Assert.Equal(1, retention.RunOnce());
        }

        Assert.Equal("ok", Scalar("INSERT INTO search (search, rank) VALUES ('integrity-check', 1); SELECT 'ok'"));
        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(["new needle"], Texts(history, "needle"));
    }

    private SqliteMessageStore Open()
    {
        var store = new SqliteMessageStore(StoreOptions.Default with { Path = StorePath });
        store.Open();
        return store;
    }

    private SearchIndexer Indexer() => new($"Data Source={StorePath};Pooling=False", TimeSpan.FromSeconds(2), TimeProvider.System, NullLogger.Instance, start: false);

    private static string[] Texts(MessageHistory history, string contains) =>
        [.. history.Read(HistoryQuery.Default with { Contains = contains }).Select(m => m.Text)];

    private string Plan(string sql) => Scalar("EXPLAIN QUERY PLAN " + sql, column: 3);

    private string Scalar(string sql, int column = 0)
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return reader.GetValue(column).ToString()!;
    }
}
