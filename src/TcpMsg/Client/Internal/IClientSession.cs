namespace TcpMsg.Client.Internal;

/// <summary>One mode's way of sending (plain or confirmed), behind <see cref="MessageClient"/>.</summary>
internal interface IClientSession : IAsyncDisposable
{
    DeliveryStatistics Statistics { get; }

    System.Net.IPEndPoint? RemoteEndPoint { get; }

    System.Net.IPEndPoint? LocalEndPoint { get; }

    ValueTask<long> EnqueueAsync(string text, CancellationToken cancellationToken);

    Task<long> SendAsync(string text, CancellationToken cancellationToken);

    Task CompleteAsync(CancellationToken cancellationToken);
}
