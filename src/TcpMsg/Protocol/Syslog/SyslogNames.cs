namespace TcpMsg.Protocol;

/// <summary>The names of syslog severities and facilities (RFC 5424 section 6.2.1, as syslog.h spells them).</summary>
internal static class SyslogNames
{
    private static readonly string[] s_severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    private static readonly string[] s_facilities =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5",
        "local6", "local7",
    ];

    // Other spellings in use (syslog.h's deprecated ones, RFC 5424's words).
    private static readonly (string Name, int Severity)[] s_severityAliases =
    [
        ("panic", 0), ("emergency", 0), ("critical", 2), ("error", 3), ("warn", 4), ("informational", 6),
    ];

    public static IReadOnlyList<string> Severities => s_severities;

    public static string Severity(int severity) => s_severities[severity];

    public static string Facility(int facility) => s_facilities[facility];

    /// <summary>Reads a severity given by name (<c>warning</c>, <c>warn</c>, ...) or number (0-7).</summary>
    public static bool TryParseSeverity(string text, out int severity)
    {
        var index = Array.FindIndex(s_severities, s => string.Equals(s, text, StringComparison.OrdinalIgnoreCase));
        if (index >= 0)
        {
            severity = index;
            return true;
        }

        foreach (var (name, value) in s_severityAliases)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                severity = value;
                return true;
            }
        }

        severity = -1;
        return text.Length == 1 && text[0] is >= '0' and <= '7' && (severity = text[0] - '0') >= 0;
    }
}
