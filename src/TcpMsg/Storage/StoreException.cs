using TcpMsg.Protocol;

namespace TcpMsg.Storage;

/// <summary>The store could not do what was asked; nothing of the failed transaction was kept.</summary>
public sealed class StoreException : TcpMsgException
{
    /// <summary>Creates the exception.</summary>
    public StoreException(StoreFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Why it failed.</summary>
    public StoreFailure Failure { get; }
}
