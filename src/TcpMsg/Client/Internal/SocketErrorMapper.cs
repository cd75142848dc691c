using System.Net.Sockets;

namespace TcpMsg.Client.Internal;

/// <summary>Sorts socket errors into the few failures a user can act on.</summary>
internal static class SocketErrorMapper
{
    public static ConnectionFailure Classify(SocketError error) => error switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain or SocketError.NoRecovery => ConnectionFailure.HostNotFound,
        SocketError.ConnectionRefused => ConnectionFailure.Refused,
        SocketError.TimedOut => ConnectionFailure.TimedOut,
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown => ConnectionFailure.Unreachable,
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected => ConnectionFailure.Reset,
        _ => ConnectionFailure.Other,
    };

    public static TcpMsgConnectionException Connecting(SocketException ex, HostPort server)
    {
        var failure = Classify(ex.SocketErrorCode);
        var message = failure switch
        {
            ConnectionFailure.HostNotFound => $"host not found: {server.Host}",
            ConnectionFailure.Refused => $"connection refused by {server} (is the server running?)",
            ConnectionFailure.TimedOut => $"timed out connecting to {server}",
            ConnectionFailure.Unreachable => $"{server} is unreachable: {ex.Message}",
            ConnectionFailure.Reset => $"connection to {server} was reset while connecting",
            _ => $"cannot connect to {server}: {ex.Message}",
        };
        return new TcpMsgConnectionException(failure, message, ex);
    }

    public static TcpMsgConnectionException Sending(SocketException ex, HostPort server)
    {
        var failure = Classify(ex.SocketErrorCode);
        var message = failure == ConnectionFailure.Reset
            ? $"connection reset by {server}: messages sent last may not have arrived"
            : $"connection to {server} failed: {ex.Message}";
        return new TcpMsgConnectionException(failure == ConnectionFailure.Other ? ConnectionFailure.Other : failure, message, ex);
    }
}
