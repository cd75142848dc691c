namespace TcpMsg.Storage;

/// <summary>
/// The store could not do what was asked; nothing of the failed transaction was kept. Users see a
/// <see cref="TcpMsgException"/> with the store's code (<see cref="TcpMsgErrorCode.DiskFull"/> to
/// <see cref="TcpMsgErrorCode.StoreError"/>); inside, the store code keeps its own <see cref="Failure"/>.
/// </summary>
internal sealed class StoreException : TcpMsgException
{
    public StoreException(StoreFailure failure, string message, Exception? innerException = null)
        : base((TcpMsgErrorCode)failure, message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Why it failed.</summary>
    public StoreFailure Failure { get; }
}
