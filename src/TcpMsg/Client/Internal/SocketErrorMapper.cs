using System.Net.Sockets;

namespace TcpMsg.Client.Internal;

/// <summary>Sorts socket errors into the few failures a user can act on.</summary>
internal static class SocketErrorMapper
{
    public static TcpMsgErrorCode Classify(SocketError error) => error switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain or SocketError.NoRecovery => TcpMsgErrorCode.HostNotFound,
        SocketError.ConnectionRefused => TcpMsgErrorCode.Refused,
        SocketError.TimedOut => TcpMsgErrorCode.TimedOut,
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown => TcpMsgErrorCode.Unreachable,
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected => TcpMsgErrorCode.Reset,
        _ => TcpMsgErrorCode.ConnectionFailed,
    };

    public static TcpMsgException Connecting(SocketException ex, HostPort server)
    {
        var failure = Classify(ex.SocketErrorCode);
        var message = failure switch
        {
            TcpMsgErrorCode.HostNotFound => $"host not found: {server.Host}",
            TcpMsgErrorCode.Refused => $"connection refused by {server} (is the server running?)",
            TcpMsgErrorCode.TimedOut => $"timed out connecting to {server}",
            TcpMsgErrorCode.Unreachable => $"{server} is unreachable: {ex.Message}",
            TcpMsgErrorCode.Reset => $"connection to {server} was reset while connecting",
            _ => $"cannot connect to {server}: {ex.Message}",
        };
        return new TcpMsgException(failure, message, ex);
    }

    public static TcpMsgException Sending(SocketException ex, HostPort server)
    {
        var failure = Classify(ex.SocketErrorCode);
        var message = failure == TcpMsgErrorCode.Reset
            ? $"connection reset by {server}: messages sent last may not have arrived"
            : $"connection to {server} failed: {ex.Message}";
        return new TcpMsgException(failure == TcpMsgErrorCode.ConnectionFailed ? TcpMsgErrorCode.ConnectionFailed : failure, message, ex);
    }
}
