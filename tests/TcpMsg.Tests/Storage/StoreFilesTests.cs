using TcpMsg.Storage;
using TcpMsg.Storage.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage;

/// <summary>The store's files on disk: private modes, a read-only directory, a damaged page found at start.</summary>
public sealed class StoreFilesTests : IDisposable
{
    private const UnixFileMode Group = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;
    private const UnixFileMode Other = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_new_store_and_its_directory_are_private_to_their_user()
    {
        var path = Path.Combine(_directory.Path, "new", "deeper", "store.db");
        using (var store = new SqliteMessageStore(StoreOptions.Default with { Path = path }))
        {
            store.Open();
            store.Append([TestMessages.Plain("private")]);
            Assert.True(File.Exists(path + "-wal") && File.Exists(path + "-shm"), "the WAL and shared-memory files exist while the store is open");
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(file) & (Group | Other));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file) & (UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }
        }

        foreach (var directory in new[] { Path.GetDirectoryName(path)!, Path.Combine(_directory.Path, "new") })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        }
    }

    [Fact]
    public void An_existing_store_keeps_the_mode_its_operator_gave_it()
    {
        var path = _directory.File("shared.db");
        using (var store = new SqliteMessageStore(StoreOptions.Default with { Path = path }))
        {
            store.Open();
        }

        var shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        File.SetUnixFileMode(path, shared);
        using (var store = new SqliteMessageStore(StoreOptions.Default with { Path = path }))
        {
            store.Open();
            store.Append([TestMessages.Plain("shared")]);
            Assert.Equal(shared, File.GetUnixFileMode(path));
            Assert.Equal(shared, File.GetUnixFileMode(path + "-wal"));
        }
    }

    [Fact]
    public void A_store_with_a_damaged_page_in_the_middle_is_refused_at_start_naming_the_file()
    {
        var path = _directory.File("damaged.db");
        using (var store = new SqliteMessageStore(StoreOptions.Default with { Path = path }))
        {
            store.Open();
            store.Append([.. Enumerable.Range(0, 2000).Select(i => TestMessages.Plain($"message {i} " + new string('x', 200)))]);
        }

        // Garbage over a page in the middle (not the first: the header and schema stay readable).
        var length = new FileInfo(path).Length;
        Assert.True(length > 40 * 4096, $"the store is only {length} bytes");
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = (length / 4096 / 2 * 4096) + 16;
            file.Write(Enumerable.Repeat((byte)0xA5, 2000).ToArray());
        }

        using var reopened = new SqliteMessageStore(StoreOptions.Default with { Path = path });
        var error = Assert.Throws<StoreException>(reopened.Open);

        Assert.Equal(StoreFailure.Corrupt, error.Failure);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_a_read_only_store_directory_exits_11_with_a_store_message()
    {
        using var disk = new SmallFileSystem(4);
        disk.MakeReadOnly();
        foreach (var store in new[] { disk.File("store.db"), Path.Combine(disk.Path, "sub", "store.db") })
        {
            await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store]);
            var exit = await serve.WaitForExitAsync();

            Assert.True(exit == 11, $"serve exited {exit}: {serve.Error}");
            Assert.Contains(store, serve.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("listen", serve.Error, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_truncated_store_is_refused_at_start_naming_the_file_and_what_to_do()
    {
        var path = _directory.File("truncated.db");
        using (var store = new SqliteMessageStore(StoreOptions.Default with { Path = path }))
        {
            store.Open();
            store.Append([.. Enumerable.Range(0, 2000).Select(i => TestMessages.Plain($"message {i} " + new string('x', 200)))]);
        }

        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(file.Length / 2);
        }

        using var reopened = new SqliteMessageStore(StoreOptions.Default with { Path = path });
        var error = Assert.Throws<StoreException>(reopened.Open);

        Assert.Equal(StoreFailure.Corrupt, error.Failure);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("backup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_at_start_naming_the_file_and_what_to_do()
    {
        var path = _directory.File("garbage.db");
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 7))]);

        using var store = new SqliteMessageStore(StoreOptions.Default with { Path = path });
        var error = Assert.Throws<StoreException>(store.Open);

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(TcpMsgErrorCode.Corrupt, error.Code);
        Assert.Contains("start a new store elsewhere", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_a_store_file_of_a_read_only_file_system_exits_11_naming_the_file()
    {
        using var disk = new SmallFileSystem(4);
        var path = disk.File("store.db");
        using (var store = new SqliteMessageStore(StoreOptions.Default with { Path = path }))
        {
            store.Open();
            store.Append([TestMessages.Plain("before the remount")]);
        }

        disk.MakeReadOnly();
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", path]);
        var exit = await serve.WaitForExitAsync();

        Assert.True(exit == 11, $"serve exited {exit}: {serve.Error}");
        Assert.Contains(path, serve.Error, StringComparison.Ordinal);
        Assert.Contains("read-only", serve.Error, StringComparison.Ordinal);
    }
}
