namespace TcpMsg.Client;

/// <summary>How a <see cref="MessageClient"/> connects, encrypts and closes. Immutable; start from <see cref="Default"/>.</summary>
public sealed record MessageClientOptions
{
    /// <summary>The defaults: 10 s to connect, 5 s for the server to close after the client finished.</summary>
    public static MessageClientOptions Default { get; } = new();

    /// <summary>How long connecting may take, name resolution included.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After the client finished sending (FIN), how long to wait for the server to close its side.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes buffered before they are written to the socket; larger batches mean fewer system calls.</summary>
    public int SendBufferSize { get; init; } = 64 * 1024;

    /// <summary>Speak TLS, verifying the server as these options say; null for plain TCP.</summary>
    public TlsClientOptions? Tls { get; init; }
}
