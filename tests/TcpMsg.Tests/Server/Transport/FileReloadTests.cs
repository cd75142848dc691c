using Microsoft.Extensions.Logging;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Transport;

/// <summary>
/// A watched file (here a deny list) that goes through everything an operator's tools do to it:
/// deleted, garbage, replaced atomically, unreadable (a directory where the file was), replaced
/// again. Each failure keeps the rules in force and says so; the watch goes on, so each later good
/// version is read and takes effect.
/// </summary>
public sealed class FileReloadTests : LoopbackTest
{
    private static readonly System.Net.IPAddress s_second = System.Net.IPAddress.Parse("127.0.0.2");

    private readonly CapturingLoggerProvider _log = new();

    [Fact]
    public async Task A_reload_that_fails_for_any_reason_keeps_the_rules_and_the_watch_goes_on()
    {
        var file = Temp.File("deny");
        await File.WriteAllTextAsync(file, "127.0.0.2/32\n", TestContext.Current.CancellationToken);
        using var loggers = LoggerFactory.Create(b => b.AddProvider(_log));
        var options = TcpMsgServerOptions.Default with
        {
            Security = TcpMsgSecurityOptions.Default with
            {
                DenyFiles = [file],
                FileReloadInterval = TimeSpan.FromMilliseconds(50),
            },
        };
        await using var server = await TestServer.StartAsync(options, loggerFactory: loggers);
        Assert.False(await AdmittedAsync(server));

        // Deleted: the rules stay (127.0.0.2 still denied), and the log says so.
        File.Delete(file);
        await FailedAsync(1);
        Assert.False(await AdmittedAsync(server));

        // Garbage.
        await File.WriteAllBytesAsync(file, [0xff, 0x00, 0x41, 0x0a, 0xc3], TestContext.Current.CancellationToken);
        await FailedAsync(2);
        Assert.False(await AdmittedAsync(server));

        // Replaced atomically with good rules that no longer deny 127.0.0.2: read, in force.
        await ReplaceAsync(file, "192.0.2.0/24\n");
        await Eventually.UntilAsync(() => Reloads() >= 1, "the good file to be read");
        Assert.True(await AdmittedAsync(server));

        // Unreadable: a directory where the file was.
        File.Delete(file);
        Directory.CreateDirectory(file);
        await FailedAsync(3);
        Assert.True(await AdmittedAsync(server));

        // And good again, denying 127.0.0.2 once more.
        Directory.Delete(file);
        await ReplaceAsync(file, "127.0.0.2/32\n");
        await Eventually.UntilAsync(() => Reloads() >= 2, "the second good file to be read");
        Assert.False(await AdmittedAsync(server));
    }

    [Fact]
    public async Task A_certificate_file_of_garbage_between_two_good_ones_does_not_end_the_watch()
    {
        using var pki = TestPki.Create();
        var file = pki.WritePem(pki.IssueServer(), "server.pem");
        using var loggers = LoggerFactory.Create(b => b.AddProvider(_log));
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { FileReloadInterval = TimeSpan.FromMilliseconds(50) } };
        await using var server = await TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = file }, options, loggers);

        // PEM armour around what is not base64: the platform's parser throws, not the loader's own error.
        await ReplaceAsync(file, "-----BEGIN CERTIFICATE-----\n!!! not base64 !!!\n-----END CERTIFICATE-----\n");
        await Eventually.UntilAsync(() => _log.Entries.Any(e => e.Message.Contains("not reloaded", StringComparison.Ordinal)), "the failed reload to be logged");

        File.Copy(pki.WritePem(pki.IssueServer("second"), "second.pem"), file + ".new");
        File.Move(file + ".new", file, overwrite: true);
        await Eventually.UntilAsync(() => _log.Entries.Any(e => e.Message.StartsWith("TLS certificate reloaded", StringComparison.Ordinal)), "the good certificate to be read after the garbage");
        await using var client = await TlsTestClient.ConnectAsync(server.EndPoint, pki.Authority);
        Assert.Contains("second", client.Stream.RemoteCertificate!.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loader_that_throws_something_unexpected_does_not_end_the_watch()
    {
        var file = Temp.File("value");
        await File.WriteAllTextAsync(file, "first", TestContext.Current.CancellationToken);
        await using var value = new ThrowingValue(file);
        await value.StartingAsync(TestContext.Current.CancellationToken);

        // Not a "bad file" the loader knows: a bug of its own, say. The previous value stays.
        await ReplaceAsync(file, "throw");
        await Eventually.UntilAsync(() => value.Failures.Count == 1, "the failure to be reported");
        Assert.Equal("first", value.Current);
        Assert.Contains(nameof(InvalidOperationException), value.Failures[0], StringComparison.Ordinal);

        await ReplaceAsync(file, "second");
        await Eventually.UntilAsync(() => value.Current == "second", "the next good version to be read");
    }

    private int Failures() => _log.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("not reloaded", StringComparison.Ordinal));

    private int Reloads() => _log.Entries.Count(e => e.Message.StartsWith("Access lists reloaded", StringComparison.Ordinal));

    private async Task FailedAsync(int count) =>
        await Eventually.UntilAsync(() => Failures() >= count, $"reload failure {count} to be logged ({string.Join(" | ", _log.Entries.Select(e => e.Message))})");

    private static async Task ReplaceAsync(string file, string text)
    {
        var next = file + ".new";
        await File.WriteAllTextAsync(next, text, TestContext.Current.CancellationToken);
        File.Move(next, file, overwrite: true);
    }

    /// <summary>Whether a connection from 127.0.0.2 is served (its message arrives) rather than denied at accept (counted).</summary>
    private static async Task<bool> AdmittedAsync(TestServer server)
    {
        var statistics = server.Server.Statistics;
        var (denied, messages) = (statistics.ConnectionsDenied, server.Sink.Messages.Count);
        using var client = await RawClient.ConnectAsync(server.EndPoint, s_second);
        try
        {
            await client.SendAsync("knock\n");
            await client.ShutdownAndWaitForCloseAsync();
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Denied at accept: the reset may come before the send.
        }

        await Eventually.UntilAsync(() => statistics.ConnectionsDenied > denied || server.Sink.Messages.Count > messages, "the connection to be served or denied");
        return server.Sink.Messages.Count > messages;
    }

    /// <summary>A value of one file that throws what no loader expects when the file says "throw".</summary>
    private sealed class ThrowingValue(string file) : TcpMsg.Server.Internal.Transport.ReloadableFileValue<string>(TimeSpan.FromMilliseconds(20), TimeProvider.System)
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _failures = new();

        public string? Current => Loaded;

        public List<string> Failures => [.. _failures];

        protected override bool IsConfigured => true;

        protected override IEnumerable<string> Files => [file];

        protected override string Build()
        {
            var text = File.ReadAllText(file);
            return text == "throw" ? throw new InvalidOperationException("a loader's bug") : text;
        }

        protected override bool IsBadFile(Exception exception) => exception is IOException;

        protected override void OnReloaded(string value)
        {
        }

        protected override void OnReloadFailed(string reason) => _failures.Enqueue(reason);
    }
}
