using System.CommandLine;
using System.Net;
using TcpMsg.Cli.Parsing;
using TcpMsg.Server;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// The protection options of <c>tcpmsg serve</c>: TLS, access control, limits, slow peers, PROXY
/// protocol. Kept apart from the core options; <see cref="ServeCommand"/> adds them and asks for the result.
/// </summary>
internal sealed class ServeSecurityOptions
{
    /// <summary>The environment variable that holds the password of a PKCS#12 file or encrypted key (never an argument: ps would show it).</summary>
    public const string PasswordVariable = "TCPMSG_TLS_PASSWORD";

    private readonly Option<string> _tlsCert = File("--tls-cert", "Serve TLS with this certificate: PEM (certificate, chain, key) or PKCS#12 (.pfx/.p12). Without --tls-listen, every endpoint speaks TLS.");
    private readonly Option<string> _tlsKey = File("--tls-key", "The PEM private key, when it is not in the --tls-cert file. Password, if any, from $" + PasswordVariable + ".");
    private readonly Option<string[]> _tlsListen = new("--tls-listen")
    {
        Description = "ADDRESS[:PORT] that speaks TLS, beside the plain --listen endpoints; repeatable. With it, plain is served only on --listen endpoints given explicitly.",
        HelpName = "ADDRESS[:PORT]",
    };

    private readonly Option<string> _tlsClientCa = File("--tls-client-ca", "Require client certificates signed by a CA in this PEM file; the subject is shown with each connection.");
    private readonly Option<TimeSpan> _handshakeTimeout = OptionFactory.Duration("--handshake-timeout", TcpMsgSecurityOptions.Default.HandshakeTimeout, allowInfinite: false, "Close a connection whose TLS handshake, PROXY header or confirmed-mode HELLO is not done in this time.");
    private readonly Option<string[]> _allow = Networks("--allow", "Only these networks may connect (CIDR, e.g. 10.0.0.0/8, 2001:db8::/32); repeatable. The most specific --allow/--deny wins.");
    private readonly Option<string[]> _deny = Networks("--deny", "These networks may not connect (CIDR); repeatable.");
    private readonly Option<string[]> _allowFile = new("--allow-file") { Description = "File of networks that may connect, one per line, # comments; re-read when it changes. Repeatable.", HelpName = "FILE" };
    private readonly Option<string[]> _denyFile = new("--deny-file") { Description = "File of networks that may not connect; re-read when it changes. Repeatable.", HelpName = "FILE" };
    private readonly Option<int> _maxPerIp = OptionFactory.Integer(
        "--max-connections-per-ip",
        TcpMsgSecurityOptions.Default.MaxConnectionsPerAddress,
        int.MinValue,
        int.MaxValue,
        "Most connections open at once from one address (IPv6: one /64); 0 = no limit.");

    private readonly Option<string> _rate = new("--rate") { Description = "Messages per connection, e.g. 1000/s or 60/m; past it, reading pauses (nothing is dropped).", HelpName = "RATE" };
    private readonly Option<int?> _burst = OptionFactory.OptionalInteger("--burst", int.MinValue, int.MaxValue, "Messages a connection may send at once before --rate applies. [default: twice the rate per second]");
    private readonly Option<string> _ratePerIp = new("--rate-per-ip") { Description = "Messages per address, all its connections together (IPv6: per /64).", HelpName = "RATE" };
    private readonly Option<int?> _burstPerIp = OptionFactory.OptionalInteger("--burst-per-ip", int.MinValue, int.MaxValue, "Burst for --rate-per-ip. [default: twice the rate per second]");
    private readonly Option<TimeSpan> _messageTimeout = OptionFactory.Duration("--message-timeout", TcpMsgSecurityOptions.Default.MessageTimeout, allowInfinite: true, "Close a connection whose message takes longer than this from its first byte to its end (slow-loris; 0 = never).");
    private readonly Option<TimeSpan> _lifetime = WithoutDefault(OptionFactory.Duration("--max-connection-lifetime", Timeout.InfiniteTimeSpan, allowInfinite: true, "Close connections older than this, after their complete messages. [default: never]"));
    private readonly Option<bool> _proxyProtocol = new("--proxy-protocol") { Description = "Every connection comes from a load balancer and starts with a PROXY protocol header (v1 or v2); needs --trusted-proxy." };
    private readonly Option<string[]> _tokenFile = new("--token-file")
    {
        Description = "File of access tokens, one per line; confirmed-mode clients must present one (tcpmsg send --token-file). Re-read when it changes. Repeatable.",
        HelpName = "FILE",
    };

    private readonly Option<bool> _noPlain = new("--no-plain") { Description = "Refuse plain-mode clients: only tcpmsg clients in confirmed mode (with a token, given --token-file) may post." };
    private readonly Option<string[]> _trustedProxy = Networks("--trusted-proxy", "Networks of the load balancers allowed to send PROXY headers; repeatable. Others are refused.");

    public void AddTo(Command command)
    {
        Option[] all =
        [
            _tlsCert, _tlsKey, _tlsListen, _tlsClientCa, _handshakeTimeout, _allow, _deny, _allowFile, _denyFile,
            _maxPerIp, _rate, _burst, _ratePerIp, _burstPerIp, _messageTimeout, _lifetime, _proxyProtocol, _trustedProxy, _tokenFile, _noPlain,
        ];
        foreach (var option in all)
        {
            command.Options.Add(option);
        }

        // Options that need or contradict each other are parse errors: reported before anything runs, exit 2.
        command.Validators.Add(result =>
        {
            if (!OptionGiven.Any(result, _tlsCert))
            {
                var needsCertificate = OptionGiven.Any(result, _tlsListen) ? _tlsListen.Name
                    : OptionGiven.Any(result, _tlsKey) ? _tlsKey.Name
                    : OptionGiven.Any(result, _tlsClientCa) ? _tlsClientCa.Name
                    : null;
                if (needsCertificate is not null)
                {
                    result.AddError($"{needsCertificate} needs {_tlsCert.Name}");
                }
            }

            var proxyProtocol = OptionGiven.On(result, _proxyProtocol);
            if (proxyProtocol != OptionGiven.Any(result, _trustedProxy))
            {
                result.AddError(proxyProtocol ? "--proxy-protocol needs --trusted-proxy CIDR (the load balancers whose headers are believed)" : "--trusted-proxy needs --proxy-protocol");
            }

            foreach (var (rate, burst) in new[] { (_rate, _burst), (_ratePerIp, _burstPerIp) })
            {
                if (!OptionGiven.Any(result, rate) && OptionGiven.Any(result, burst))
                {
                    result.AddError($"{burst.Name} needs {rate.Name}");
                }
            }
        });
    }

    /// <summary>
    /// Completes <paramref name="endpoints"/> (the parsed <c>--listen</c> values): adds the TLS endpoints,
    /// or, with a certificate and no <c>--tls-listen</c>, makes every endpoint TLS; adds the default when none.
    /// </summary>
    public bool TryCompleteEndpoints(ParseResult parseResult, List<ListenEndpoint> endpoints, int defaultPort, out string? error)
    {
        error = null;
        var tls = new List<ListenEndpoint>();
        foreach (var text in parseResult.GetValue(_tlsListen) ?? [])
        {
            if (!ListenEndpoint.TryParse(text, defaultPort, out var endpoint, out var problem))
            {
                error = $"--tls-listen {problem}";
                return false;
            }

            tls.Add(endpoint! with { Tls = true });
        }

        var certificate = parseResult.GetValue(_tlsCert);
        if (endpoints.Count == 0 && tls.Count == 0)
        {
            endpoints.Add(ListenEndpoint.Any(defaultPort));
        }

        if (certificate is not null && tls.Count == 0)
        {
            // A certificate alone: the endpoints are TLS, never plain beside it by surprise.
            for (var i = 0; i < endpoints.Count; i++)
            {
                endpoints[i] = endpoints[i] with { Tls = true };
            }
        }

        endpoints.AddRange(tls);
        return true;
    }

    public bool TryBuild(ParseResult parseResult, out TcpMsgSecurityOptions security, out string? error)
    {
        security = TcpMsgSecurityOptions.Default;
        error = null;
        if (!TryNetworks(parseResult, _allow, out var allow, out error) ||
            !TryNetworks(parseResult, _deny, out var deny, out error) ||
            !TryNetworks(parseResult, _trustedProxy, out var trusted, out error) ||
            !TryRate(parseResult, _rate, _burst, out var rate, out error) ||
            !TryRate(parseResult, _ratePerIp, _burstPerIp, out var ratePerIp, out error))
        {
            return false;
        }

        var proxyProtocol = parseResult.GetValue(_proxyProtocol);
        var maxPerIp = parseResult.GetValue(_maxPerIp);
        if (maxPerIp < 0)
        {
            error = "--max-connections-per-ip must be 0 (no limit) or more";
            return false;
        }

        var certificate = parseResult.GetValue(_tlsCert);
        security = TcpMsgSecurityOptions.Default with
        {
            Tls = certificate is null ? null : new TlsServerOptions
            {
                CertificateFile = certificate,
                KeyFile = parseResult.GetValue(_tlsKey),
                Password = Environment.GetEnvironmentVariable(PasswordVariable),
                ClientCertificateAuthorityFile = parseResult.GetValue(_tlsClientCa),
            },
            TokenFiles = parseResult.GetValue(_tokenFile) ?? [],
            AllowPlain = !parseResult.GetValue(_noPlain),
            Allow = allow,
            Deny = deny,
            AllowFiles = parseResult.GetValue(_allowFile) ?? [],
            DenyFiles = parseResult.GetValue(_denyFile) ?? [],
            TrustedProxies = proxyProtocol ? trusted : [],
            MaxConnectionsPerAddress = maxPerIp,
            ConnectionRate = rate,
            AddressRate = ratePerIp,
            HandshakeTimeout = parseResult.GetValue(_handshakeTimeout),
            MessageTimeout = parseResult.GetValue(_messageTimeout),
            MaxConnectionLifetime = parseResult.GetValue(_lifetime) is { } lifetime && lifetime != TimeSpan.Zero ? lifetime : Timeout.InfiniteTimeSpan,
        };
        return true;
    }

    private static bool TryNetworks(ParseResult parseResult, Option<string[]> option, out List<IPNetwork> networks, out string? error)
    {
        networks = [];
        error = null;
        foreach (var text in parseResult.GetValue(option) ?? [])
        {
            if (!IPNetworkParser.TryParse(text, out var network, out var problem))
            {
                error = $"{option.Name} {problem}";
                return false;
            }

            networks.Add(network);
        }

        return true;
    }

    private static bool TryRate(ParseResult parseResult, Option<string> rateOption, Option<int?> burstOption, out RateLimit? limit, out string? error)
    {
        limit = null;
        error = null;
        var text = parseResult.GetValue(rateOption);
        var burst = parseResult.GetValue(burstOption);
        if (text is null)
        {
            return true;
        }

        if (!Rate.TryParse(text, out var perSecond, out var problem))
        {
            error = $"{rateOption.Name} {problem}";
            return false;
        }

        if (burst is < 1)
        {
            error = $"{burstOption.Name} must be at least 1";
            return false;
        }

        limit = new RateLimit(perSecond, burst ?? (int)Math.Clamp(Math.Ceiling(perSecond * 2), 1, int.MaxValue));
        return true;
    }

    /// <summary>No default shown in the help (it would print as a negative time span); absent means never.</summary>
    private static Option<TimeSpan> WithoutDefault(Option<TimeSpan> option)
    {
        option.DefaultValueFactory = null;
        return option;
    }

    private static Option<string> File(string name, string description) => new(name) { Description = description, HelpName = "FILE" };

    private static Option<string[]> Networks(string name, string description) => new(name) { Description = description, HelpName = "CIDR" };
}
