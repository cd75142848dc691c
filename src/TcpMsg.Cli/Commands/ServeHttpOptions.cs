using System.CommandLine;
using TcpMsg.Cli.Parsing;
using TcpMsg.Server;
using TcpMsg.Server.Http;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// <c>tcpmsg serve --http ADDR:PORT [--http-token-file FILE]</c>: the HTTP endpoint with metrics,
/// health checks, the message API and the live page (docs/observability.md).
/// </summary>
internal sealed class ServeHttpOptions
{
    private readonly Option<string> _http = new("--http")
    {
        Description = "Serve metrics (/metrics), health (/healthz, /readyz), the message API and a live page (/) over HTTP on ADDRESS:PORT, e.g. 127.0.0.1:8023. [default: off]",
        HelpName = "ADDRESS:PORT",
    };

    private readonly Option<string> _tokenFile = new("--http-token-file")
    {
        Description = "File holding the bearer token HTTP clients must present (required when --http is not a loopback address). Browsers log in once with /?token=TOKEN.",
        HelpName = "FILE",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_http);
        command.Options.Add(_tokenFile);
        command.Validators.Add(result =>
        {
            if (OptionGiven.Any(result, _tokenFile) && !OptionGiven.Any(result, _http))
            {
                result.AddError("--http-token-file needs --http ADDRESS:PORT");
            }
        });
    }

    /// <summary>The options, null without --http; false with a one-line reason when they cannot work.</summary>
    public bool TryBuild(ParseResult parseResult, out TcpMsgHttpOptions? options, out string? error)
    {
        options = null;
        error = null;
        var tokenFile = parseResult.GetValue(_tokenFile);
        if (parseResult.GetValue(_http) is not { } text)
        {
            return true;
        }

        if (!ListenEndpoint.TryParse(text, TcpMsgHttpOptions.Default.Endpoint.Port, out var endpoint, out var parseError))
        {
            error = $"--http {parseError}";
            return false;
        }

        string? token = null;
        if (tokenFile is not null)
        {
            try
            {
                token = File.ReadAllText(tokenFile).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = $"--http-token-file: cannot read {tokenFile}: {ex.Message}";
                return false;
            }
        }

        options = TcpMsgHttpOptions.Default with { Endpoint = endpoint!, Token = token };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            error = ErrorText.OptionMessage(ex, (nameof(TcpMsgHttpOptions.Token), "tcpmsg serve --http-token-file FILE"));
            options = null;
            return false;
        }

        return true;
    }
}
