using System.CommandLine;
using System.CommandLine.Parsing;
using TcpMsg.Cli.Parsing;
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

    /// <summary>
    /// Checks <paramref name="store"/> with <paramref name="passwordFile"/> as a validator of
    /// <paramref name="command"/>; with a PostgreSQL store, the <paramref name="sqliteOnly"/> options
    /// (given, and not off) are refused. Nothing to check under <paramref name="noStore"/>.
    /// </summary>
    public static void Validate(Command command, Option<string> store, Option<string> passwordFile, Option<bool>? noStore = null, params Option[] sqliteOnly)
    {
        command.Validators.Add(result =>
        {
            if (noStore is not null && OptionGiven.On(result, noStore))
            {
                return;
            }

            var location = result.GetValue(store) ?? StoreOptions.Default.Path;
            if (Check(location, OptionGiven.Any(result, passwordFile) ? result.GetValue(passwordFile) : null) is { } error)
            {
                result.AddError(error);
            }
            else if (IsPostgres(location) && sqliteOnly.Where(option => OptionGiven.Any(result, option) && !IsOff(result, option)).Select(option => option.Name).ToArray() is [_, ..] given)
            {
                result.AddError($"{string.Join(", ", given)}: for the SQLite store only, not with a PostgreSQL --store");
            }
        });
    }

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

    // --retain 0 and --max-store-size 0 mean none, as --search-index false does.
    private static bool IsOff(CommandResult result, Option option) => option switch
    {
        Option<bool> flag => !OptionGiven.On(result, flag),
        Option<TimeSpan> duration => result.GetValue(duration) <= TimeSpan.Zero,
        Option<long> size => result.GetValue(size) <= 0,
        _ => false,
    };

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
