using System.CommandLine;
using TcpMsg.Cli.Parsing;
using TcpMsg.Client;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// The TLS options of <c>tcpmsg send</c>. Any of them turns TLS on. The server is always verified,
/// against the system's authorities or <c>--tls-ca</c>, unless <c>--tls-insecure</c> says otherwise,
/// which prints a warning every time it is used.
/// </summary>
internal sealed class SendTlsOptions
{
    private readonly Option<bool> _tls = new("--tls") { Description = "Speak TLS; the server's certificate must be trusted by the system and name the host." };
    private readonly Option<string> _ca = new("--tls-ca") { Description = "Trust only this CA (PEM file) for the server's certificate: a private CA. Implies --tls.", HelpName = "FILE" };
    private readonly Option<string> _cert = new("--tls-cert") { Description = "Present this client certificate (PEM or PKCS#12). Implies --tls.", HelpName = "FILE" };
    private readonly Option<string> _key = new("--tls-key") { Description = "The client certificate's PEM key, when not in --tls-cert. Password, if any, from $" + ServeSecurityOptions.PasswordVariable + ".", HelpName = "FILE" };
    private readonly Option<string> _serverName = new("--tls-server-name") { Description = "The name the server's certificate must carry (and SNI), when it differs from HOST. Implies --tls.", HelpName = "NAME" };
    private readonly Option<bool> _insecure = new("--tls-insecure") { Description = "DANGEROUS: do not verify the server's certificate. Anyone on the path can read and change the messages. Prints a warning." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _tls, _ca, _cert, _key, _serverName, _insecure })
        {
            command.Options.Add(option);
        }

        // Options that contradict each other are parse errors: reported before anything runs, exit 2.
        command.Validators.Add(result =>
        {
            if (OptionGiven.Any(result, _key) && !OptionGiven.Any(result, _cert))
            {
                result.AddError("--tls-key needs --tls-cert");
            }

            if (OptionGiven.On(result, _insecure) && (OptionGiven.Any(result, _ca) || OptionGiven.Any(result, _serverName)))
            {
                result.AddError("--tls-insecure contradicts --tls-ca and --tls-server-name: it verifies nothing");
            }
        });
    }

    /// <summary>True when --tls-insecure was given (the caller prints the warning).</summary>
    public bool IsInsecure(ParseResult parseResult) => parseResult.GetValue(_insecure);

    /// <summary>The TLS options, or null for plain TCP.</summary>
    /// <exception cref="TcpMsgException">A certificate file could not be read (<see cref="TcpMsgErrorCode.CertificateInvalid"/>).</exception>
    public bool TryBuild(ParseResult parseResult, out TlsClientOptions? tls, out string? error)
    {
        tls = null;
        error = null;
        var ca = parseResult.GetValue(_ca);
        var cert = parseResult.GetValue(_cert);
        var key = parseResult.GetValue(_key);
        var serverName = parseResult.GetValue(_serverName);
        var insecure = parseResult.GetValue(_insecure);
        if (!parseResult.GetValue(_tls) && ca is null && cert is null && key is null && serverName is null && !insecure)
        {
            return true;
        }

        tls = TlsClientOptions.FromFiles(ca, cert, key, Environment.GetEnvironmentVariable(ServeSecurityOptions.PasswordVariable)) with
        {
            ServerName = serverName,
            AllowUntrustedServer = insecure,
        };
        return true;
    }
}
