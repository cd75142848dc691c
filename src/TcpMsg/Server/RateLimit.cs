using System.Globalization;

namespace TcpMsg.Server;

/// <summary>
/// A token bucket: <paramref name="MessagesPerSecond"/> on average, up to <paramref name="Burst"/> at once.
/// Past it, the server stops reading from the socket until the bucket refills (backpressure); it never
/// drops a message it has accepted.
/// </summary>
/// <param name="MessagesPerSecond">The sustained rate.</param>
/// <param name="Burst">How many messages may arrive at once after a quiet period.</param>
public sealed record RateLimit(double MessagesPerSecond, int Burst)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{MessagesPerSecond:0.###}/s, burst {Burst}");

    internal void Validate(string name)
    {
        if (!(MessagesPerSecond > 0) || double.IsInfinity(MessagesPerSecond) || Burst < 1)
        {
            throw new ArgumentException($"{name} needs a positive, finite rate and a burst of at least 1.", name);
        }
    }
}
