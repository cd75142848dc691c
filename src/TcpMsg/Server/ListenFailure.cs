namespace TcpMsg.Server;

/// <summary>Why the server could not listen on an endpoint.</summary>
public enum ListenFailure
{
    /// <summary>Another program already listens on that address and port.</summary>
    AddressInUse,

    /// <summary>The system refused: ports below 1024 need privileges.</summary>
    PermissionDenied,

    /// <summary>The address does not belong to this machine.</summary>
    AddressNotAvailable,

    /// <summary>Another reason; see the message.</summary>
    Other,
}
