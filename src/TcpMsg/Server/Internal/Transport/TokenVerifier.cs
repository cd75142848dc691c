using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Checks the token a confirmed-mode client presents in HELLO. Tokens are kept only as SHA-256 digests
/// and a presented token is compared with every one of them in constant time, so neither which token
/// matched nor how much of one did shows in the timing. Token files are read at start (a missing or
/// empty one stops the server) and again when they change (a bad one keeps the previous tokens).
/// Failed attempts are limited per address (<see cref="TokenAttemptLimiter"/>): the refusals of an
/// address that keeps failing wait longer and longer, then it is refused outright for a while.
/// </summary>
internal sealed partial class TokenVerifier : ReloadableFileValue<byte[][]>
{
    private readonly TcpMsgSecurityOptions _options;
    private readonly ILogger _logger;
    private readonly TokenAttemptLimiter? _attempts;
    private readonly PeerReporter? _reporter;

    public TokenVerifier(TcpMsgServerOptions options, TimeProvider time, ILogger<TokenVerifier> logger, TokenAttemptLimiter? attempts = null, PeerReporter? reporter = null)
        : base(options.Security.FileReloadInterval, time)
    {
        _attempts = attempts;
        _reporter = reporter;
        _options = options.Security;
        _logger = logger;
    }

    public bool Required => _options.RequiresToken;

    /// <summary>
    /// True when <paramref name="token"/> is one of the configured tokens (always true when none are)
    /// and <paramref name="connection"/>'s address is not refused for failing too often. Otherwise
    /// <paramref name="refusal"/> says why, and <paramref name="delay"/> how long the refusal is to wait.
    /// </summary>
    public bool Verify(byte[]? token, ConnectionInfo connection, out string refusal, out TimeSpan delay)
    {
        refusal = string.Empty;
        delay = TimeSpan.Zero;
        if (!Required)
        {
            return true;
        }

        var address = connection.RemoteEndPoint?.Address;
        if (_attempts is not null && !_attempts.MayTry(address, out var refusedFor))
        {
            delay = TokenAttemptLimiter.MaxDelay;
            refusal = $"too many failed token attempts from this address; refused for {refusedFor.TotalSeconds:0} s more";
            _reporter?.Report(connection, TcpMsgErrorCode.AccessDenied, $"refused after {TokenAttemptLimiter.Burst} failed token attempts ({refusedFor.TotalSeconds:0} s more)");
            return false;
        }

        if (Verify(token))
        {
            return true;
        }

        refusal = token is null ? "this server requires a token" : "the token is not valid";
        if (_attempts is not null)
        {
            (delay, var lockedOut) = _attempts.OnFailure(address);
            if (lockedOut)
            {
                refusal += $"; {TokenAttemptLimiter.Burst} failed attempts: this address is refused for {TokenAttemptLimiter.Lockout.TotalSeconds:0} s";
                _reporter?.Report(connection, TcpMsgErrorCode.AccessDenied, $"{TokenAttemptLimiter.Burst} failed token attempts: refused for {TokenAttemptLimiter.Lockout.TotalSeconds:0} s");
            }
            else if (delay > TimeSpan.Zero)
            {
                refusal += $"; failed attempts from this address are answered after {delay.TotalSeconds:0} s";
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="token"/> is one of the configured tokens (always true when none are).</summary>
    public bool Verify(byte[]? token)
    {
        if (!Required)
        {
            return true;
        }

        var presented = SHA256.HashData(token ?? []);
        var match = false;
        foreach (var digest in Loaded ?? [])
        {
            // No early exit: every token is compared whatever the outcome.
            match |= CryptographicOperations.FixedTimeEquals(presented, digest);
        }

        return token is { Length: > 0 } && match;
    }

    protected override bool IsConfigured => Required;

    protected override IEnumerable<string> Files => _options.TokenFiles;

    protected override bool IsBadFile(Exception exception) =>
        exception is IOException or UnauthorizedAccessException or InvalidDataException;

    protected override void OnReloaded(byte[][] value) => LogReloaded(value.Length);

    protected override void OnReloadFailed(string reason) => LogReloadFailed(reason);

    /// <summary>A token any shorter is guessable: 16 bytes, e.g. <c>openssl rand -hex 16</c> (32 characters).</summary>
    public const int MinimumTokenBytes = 16;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    protected override byte[][] Build()
    {
        var tokens = new List<string>(_options.Tokens);
        foreach (var file in _options.TokenFiles)
        {
            var fromFile = ReadText(file)
                .Split('\n')
                .Select(line => line.Trim())
                .Where(line => line.Length > 0 && !line.StartsWith('#'))
                .ToList();
            if (fromFile.Count == 0)
            {
                throw new InvalidDataException($"token file {file} holds no token");
            }

            if (fromFile.FirstOrDefault(t => Encoding.UTF8.GetByteCount(t) < MinimumTokenBytes) is { } tooShort)
            {
                throw new InvalidDataException($"token file {file} has a token of {Encoding.UTF8.GetByteCount(tooShort)} bytes; tokens must be at least {MinimumTokenBytes} bytes (openssl rand -hex 16 makes one)");
            }

            tokens.AddRange(fromFile);
        }

        if (_options.Tokens.FirstOrDefault(t => Encoding.UTF8.GetByteCount(t) < MinimumTokenBytes) is { } shortOption)
        {
            throw new InvalidDataException($"a token of {Encoding.UTF8.GetByteCount(shortOption)} bytes was given; tokens must be at least {MinimumTokenBytes} bytes");
        }

        return [.. tokens.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t)))];
    }

    /// <summary>The file as UTF-8 text; a file that is not (random bytes, a key file by mistake) is refused, not read as tokens.</summary>
    private static string ReadText(string file)
    {
        var bytes = File.ReadAllBytes(file);
        string text;
        try
        {
            text = s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"token file {file} is not UTF-8 text");
        }

        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new InvalidDataException($"token file {file} is not a text file (it holds control characters)");
        }

        return text;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "token files re-read: {Count} tokens")]
    private partial void LogReloaded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "token files changed but cannot be read ({Reason}); the previous tokens stay in force")]
    private partial void LogReloadFailed(string reason);
}
