using TcpMsg.Client;

namespace TcpMsg.Cli;

/// <summary>
/// The library's errors in the CLI's words: the library says what is wrong and gives a stable
/// <see cref="TcpMsgErrorCode"/> (and, where it helps, the option's property name in
/// <see cref="TcpMsgException.Subject"/>); here the codes and properties become tcpmsg's flags.
/// </summary>
internal static class ErrorText
{
    /// <summary>A store code: the store could not be opened, read or written.</summary>
    public static bool IsStore(TcpMsgErrorCode code) => code is >= TcpMsgErrorCode.DiskFull and <= TcpMsgErrorCode.StoreError;

    /// <summary>A listening code: an endpoint could not be bound.</summary>
    public static bool IsListen(TcpMsgErrorCode code) => code is >= TcpMsgErrorCode.AddressInUse and <= TcpMsgErrorCode.ListenFailed;

    /// <summary>A store error's message with the flag that chooses another store.</summary>
    public static string StoreMessage(TcpMsgException ex) => ex.Message + ex.Code switch
    {
        TcpMsgErrorCode.ReadOnly => " (--store PATH gives another)",
        TcpMsgErrorCode.Corrupt => " (--store PATH starts one elsewhere)",
        TcpMsgErrorCode.CannotOpen => " (--store PATH gives another)",
        _ => string.Empty,
    };

    /// <summary>
    /// A client error's message in the CLI's terms: the option it names (<see cref="TcpMsgException.Subject"/>,
    /// a <see cref="TlsClientOptions"/> property) becomes the flag that sets it.
    /// </summary>
    public static string ClientMessage(TcpMsgException ex) => ex.Subject switch
    {
        nameof(TlsClientOptions.TrustedAuthorities) => ex.Message + " (for a private CA, give it with --tls-ca FILE)",
        nameof(TlsClientOptions.ServerName) => ex.Message + " (connect by a name it carries, or give that name with --tls-server-name)",
        nameof(TlsClientOptions.ClientCertificate) => ex.Message + " (give one with --tls-cert/--tls-key)",
        _ => ex.Message,
    };

    /// <summary>
    /// An options check's message (<see cref="ArgumentException"/>) in the CLI's terms: the library
    /// names the option by its property, in parentheses; each (property, flag) pair given becomes the flag.
    /// </summary>
    public static string OptionMessage(ArgumentException ex, params (string Property, string Flag)[] flags)
    {
        var text = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
        foreach (var (property, flag) in flags)
        {
            text = text.Replace($"({property})", $"({flag})", StringComparison.Ordinal);
        }

        return text;
    }
}
