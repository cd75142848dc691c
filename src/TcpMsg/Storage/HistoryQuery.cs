namespace TcpMsg.Storage;

/// <summary>Which stored messages to read. Immutable; start from <see cref="Default"/>.</summary>
public sealed record HistoryQuery
{
    /// <summary>The last 50 messages, all senders.</summary>
    public static HistoryQuery Default { get; } = new();

    /// <summary>At most this many: the newest ones, returned oldest first.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>Only messages received at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only messages received before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only messages from this address (<c>127.0.0.1</c>, <c>::1</c>).</summary>
    public string? FromAddress { get; init; }

    /// <summary>Only messages from this port of <see cref="FromAddress"/>.</summary>
    public int? FromPort { get; init; }

    /// <summary>Only messages of this confirmed sender (its client id), exactly.</summary>
    public string? ClientId { get; init; }

    /// <summary>Only messages whose text contains this (case-sensitive).</summary>
    public string? Contains { get; init; }

    /// <summary>Only syslog messages from this application (RFC 5424 APP-NAME, RFC 3164 TAG), exactly.</summary>
    public string? App { get; init; }

    /// <summary>Only syslog messages from this host name, exactly.</summary>
    public string? Host { get; init; }

    /// <summary>Only syslog messages of this severity or worse: 4 (warning) keeps warning, err, crit, alert and emerg.</summary>
    public int? Severity { get; init; }

    /// <summary>Only messages with an id above this one (used to follow the store).</summary>
    public long AfterId { get; init; }
}
