namespace TcpMsg.Cli;

/// <summary>The tool's exit codes. Scripts may rely on them; only ever add new ones.</summary>
internal static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected failure.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line.</summary>
    public const int Usage = 2;

    /// <summary>The host name could not be resolved.</summary>
    public const int HostNotFound = 3;

    /// <summary>The server refused the connection (nothing listens on that port).</summary>
    public const int ConnectionRefused = 4;

    /// <summary>Connecting, or waiting for the server, took longer than allowed.</summary>
    public const int TimedOut = 5;

    /// <summary>The connection was reset; the last messages may not have arrived.</summary>
    public const int ConnectionReset = 6;

    /// <summary>The server could not listen (address in use, permission denied, bad address).</summary>
    public const int ListenFailed = 7;

    /// <summary>The server rejected a message, or did not confirm it.</summary>
    public const int NotDelivered = 8;

    /// <summary>The network or host cannot be reached.</summary>
    public const int Unreachable = 9;

    /// <summary>The peer is not a tcpmsg server (it did not answer the confirmed-mode preamble); try --plain.</summary>
    public const int NotTcpMsgServer = 10;

    /// <summary>The store cannot be opened or used.</summary>
    public const int StoreFailed = 11;

    /// <summary>TLS failed: a certificate could not be loaded, or the other side's was not trusted.</summary>
    public const int Tls = 12;

    /// <summary>The server requires an access token and none, or a wrong one, was given.</summary>
    public const int Unauthorized = 13;

    /// <summary>chat: the server runs no chat room (start it with tcpmsg serve --chat).</summary>
    public const int NoChatRoom = 14;

    /// <summary>The server's access rules refuse this client's address (it said so when it accepted the connection).</summary>
    public const int AccessDenied = 15;

    /// <summary>Interrupted by Ctrl+C or SIGTERM before finishing (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
