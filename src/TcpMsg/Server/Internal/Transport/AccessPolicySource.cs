using System.Net;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Holds the current <see cref="AccessPolicy"/>: the rules given in the options plus those in the
/// allow and deny files, read at start (a bad file stops the server from starting) and again when a
/// file changes (a bad file then keeps the previous rules, and says so).
/// </summary>
internal sealed partial class AccessPolicySource : ReloadableFileValue<AccessPolicy>
{
    private readonly TcpMsgSecurityOptions _options;
    private readonly ILogger _logger;

    public AccessPolicySource(TcpMsgServerOptions options, TimeProvider time, ILogger<AccessPolicySource> logger)
        : base(options.Security.FileReloadInterval, time)
    {
        _options = options.Security;
        _logger = logger;
    }

    public AccessPolicy Current => Loaded ?? AccessPolicy.Open;

    protected override bool IsConfigured => !_options.HasNoAccessRules;

    protected override IEnumerable<string> Files => _options.AllowFiles.Concat(_options.DenyFiles);

    protected override bool IsBadFile(Exception exception) => exception is TcpMsgException { Code: TcpMsgErrorCode.AccessListInvalid };

    protected override void OnReloaded(AccessPolicy value) => LogReloaded(value.RuleCount);

    protected override void OnReloadFailed(string reason) => LogReloadFailed(reason);

    protected override AccessPolicy Build()
    {
        var allow = new List<IPNetwork>(_options.Allow);
        var deny = new List<IPNetwork>(_options.Deny);
        foreach (var file in _options.AllowFiles)
        {
            allow.AddRange(ReadFile(file));
        }

        foreach (var file in _options.DenyFiles)
        {
            deny.AddRange(ReadFile(file));
        }

        return new AccessPolicy(allow, deny, allowList: _options.Allow.Count > 0 || _options.AllowFiles.Count > 0);
    }

    private static List<IPNetwork> ReadFile(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TcpMsgException(TcpMsgErrorCode.AccessListInvalid, $"{file}: {ex.Message}", ex) { Subject = file };
        }

        return IPNetworkParser.TryParseLines(lines, file, out var networks, out var error)
            ? networks
            : throw new TcpMsgException(TcpMsgErrorCode.AccessListInvalid, error!) { Subject = file };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access lists reloaded: {Count} rules")]
    private partial void LogReloaded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access list not reloaded, the previous rules stay in force: {Reason}")]
    private partial void LogReloadFailed(string reason);
}
