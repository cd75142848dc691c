using System.CommandLine;
using System.Data.Common;
using TcpMsg.Storage;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// <c>--store</c> and <c>--store-password-file</c>, shared by serve and history: a path is a SQLite
/// file, <c>postgresql://user@host:port/db</c> or <c>Host=...;</c> a PostgreSQL database. A password
/// in the location is refused: the command line shows in <c>ps</c> to every user of the machine.
/// </summary>
internal static class StoreLocation
{
    public static Option<string> StoreOption(string description) => new("--store")
    {
        Description = description,
        HelpName = "PATH|URL",
        DefaultValueFactory = _ => StoreOptions.Default.Path,
    };

    public static Option<string> PasswordFileOption() => new("--store-password-file")
    {
        Description = "With a PostgreSQL --store: read the password from the first line of this file (else PGPASSWORD or ~/.pgpass, as psql does).",
        HelpName = "FILE",
    };

    /// <summary>True for a PostgreSQL location (as the library tells them apart).</summary>
    public static bool IsPostgres(string store)
    {
        var text = store.TrimStart();
        if (IsUrl(text))
        {
            return true;
        }

        return text.Contains('=', StringComparison.Ordinal) && TryPairs(text, out var pairs) && (pairs.ContainsKey("host") || pairs.ContainsKey("server"));
    }

    /// <summary>Null when <paramref name="store"/> and <paramref name="passwordFile"/> go together; else the usage error.</summary>
    public static string? Check(string store, string? passwordFile)
    {
        if (!IsPostgres(store))
        {
            return passwordFile is null ? null : "--store-password-file is for a PostgreSQL --store (postgresql://user@host:port/db)";
        }

        var text = store.Trim();
        var hasPassword = IsUrl(text)
            ? Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.UserInfo.Contains(':', StringComparison.Ordinal) || uri.Query.Contains("password=", StringComparison.OrdinalIgnoreCase))
            : TryPairs(text, out var pairs) && (pairs.ContainsKey("password") || pairs.ContainsKey("pwd"));
        return hasPassword
            ? "--store must not hold the password (the command line shows in `ps`); put it in a file for --store-password-file, in PGPASSWORD or in ~/.pgpass"
            : null;
    }

    private static bool IsUrl(string text) =>
        text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    private static bool TryPairs(string text, out DbConnectionStringBuilder pairs)
    {
        pairs = new DbConnectionStringBuilder();
        try
        {
            pairs.ConnectionString = text;
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
