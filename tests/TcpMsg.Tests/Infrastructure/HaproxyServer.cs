using System.Globalization;
using System.Text;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// A real HAProxy in TCP mode in front of tcpmsg servers, as docs/scaling.md runs it: round robin,
/// health checks on each server's <c>/readyz</c> (its --http port), and, when asked, the PROXY
/// protocol v2 to the servers so that each message keeps its sender's address. Its own config
/// file and process; removed when disposed.
/// </summary>
public sealed class HaproxyServer : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly TempDirectory _directory;

    private HaproxyServer(ChildProcess process, TempDirectory directory, int port, string config)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Config = config;
    }

    /// <summary>The port clients connect to, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The configuration it runs, for a failure message.</summary>
    public string Config { get; }

    /// <summary>What HAProxy logged (its own warnings and alerts).</summary>
    public string Log => _process.Error + _process.Out;

    /// <summary>A tcpmsg server behind the balancer: its TCP port and the HTTP port of its health check.</summary>
    public readonly record struct Backend(int Port, int HealthPort);

    public static async Task<HaproxyServer> StartAsync(IReadOnlyList<Backend> backends, bool sendProxyV2)
    {
        var haproxy = ExternalTools.Require("haproxy");
        var directory = new TempDirectory();
        var port = Cli.SendCommandTests.FreePort();
        var config = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            global
                maxconn 2000

            defaults
                mode tcp
                timeout connect 2s
                timeout client 1m
                timeout server 1m
                # A server that dies takes its connections with it; new ones go to the others.
                option redispatch
                retries 2

            frontend tcpmsg
                bind 127.0.0.1:{port}
                default_backend servers

            backend servers
                balance roundrobin
                option httpchk
                http-check send meth GET uri /readyz
                http-check expect status 200
                default-server inter 200ms fall 2 rise 1 on-marked-down shutdown-sessions

            """));
        for (var i = 0; i < backends.Count; i++)
        {
            config.Append(CultureInfo.InvariantCulture, $"    server s{i} 127.0.0.1:{backends[i].Port} check port {backends[i].HealthPort}{(sendProxyV2 ? " send-proxy-v2" : string.Empty)}\n");
        }

        var file = directory.File("haproxy.cfg");
        await File.WriteAllTextAsync(file, config.ToString());
        var process = ChildProcess.Start(haproxy, ["-f", file, "-db"]);
        var server = new HaproxyServer(process, directory, port, config.ToString());
        try
        {
            await Eventually.UntilAsync(() => ExternalTools.IsListening(port) || process.HasExited, "haproxy to listen", TestTimeouts.Extended);
            Assert.False(process.HasExited, $"haproxy exited: {server.Log}\n{server.Config}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }
}
